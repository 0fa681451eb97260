// Which OS user holds the other end of a loopback TCP connection: Linux lists every socket with its owner's uid in
// /proc/net/tcp and /proc/net/tcp6; the client's socket is the one whose local end is our remote end and back.
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';

/** Both ends of a TCP connection as the server sees them. */
export interface TcpEnds {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

/** /proc/net/tcp state of a socket in TIME_WAIT: the kernel lists it with uid 0, so it proves nobody. */
const TIME_WAIT = '06';

/** How much of a /proc table is read at a time; the search stops at the matching line. */
const CHUNK_BYTES = 64 * 1024;

/** The 16 bytes of an IPv6 address (an IPv4 address comes back v4-mapped), or undefined if it is neither. */
function ipv6Bytes(address: string): Buffer | undefined {
  if (net.isIPv4(address)) return ipv6Bytes(`::ffff:${address}`);
  if (!net.isIPv6(address)) return undefined;
  // A dotted IPv4 tail (::ffff:127.0.0.1) is two 16-bit groups.
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) => `${(+a * 256 + +b).toString(16)}:${(+c * 256 + +d).toString(16)}`);
  const groups = (part: string) => part.split(':').filter(Boolean).map((g) => parseInt(g, 16));
  const [head = '', tail] = text.split('::');
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const words = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

function ipv4Bytes(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

/** The IPv4 form of an IPv4 or v4-mapped IPv6 address. */
function asIpv4(address: string): string | undefined {
  if (net.isIPv4(address)) return address;
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : undefined;
}

/** An address and port as /proc/net/tcp{,6} print them: each 32-bit word in host byte order, the port in hex. */
function procEndpoint(bytes: Buffer, port: number): string {
  const read = os.endianness() === 'LE' ? (o: number) => bytes.readUInt32LE(o) : (o: number) => bytes.readUInt32BE(o);
  let hex = '';
  for (let o = 0; o < bytes.length; o += 4) hex += read(o).toString(16).padStart(8, '0');
  return `${hex}:${port.toString(16).padStart(4, '0')}`.toUpperCase();
}

/** Where the client's socket can be listed: an IPv4 client may hold an IPv4 or a v4-mapped IPv6 socket. */
function candidates(c: TcpEnds): Array<{ table: string; needle: string }> {
  const line = (a: Buffer, b: Buffer) => ` ${procEndpoint(a, c.remotePort)} ${procEndpoint(b, c.localPort)} `;
  const out: Array<{ table: string; needle: string }> = [];
  const r4 = asIpv4(c.remoteAddress);
  const l4 = asIpv4(c.localAddress);
  if (r4 && l4) out.push({ table: '/proc/net/tcp', needle: line(ipv4Bytes(r4), ipv4Bytes(l4)) });
  const r6 = ipv6Bytes(c.remoteAddress);
  const l6 = ipv6Bytes(c.localAddress);
  if (r6 && l6) out.push({ table: '/proc/net/tcp6', needle: line(r6, l6) });
  return out;
}

/** Reads `table` until the line holding `needle` and returns its uid column; undefined when absent or unreadable. */
async function uidInTable(table: string, needle: string): Promise<number | undefined> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(table, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(CHUNK_BYTES);
    let text = '';
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      text += buf.toString('latin1', 0, bytesRead);
      const at = text.indexOf(needle);
      if (at >= 0) {
        const end = text.indexOf('\n', at);
        if (end >= 0 || bytesRead === 0) {
          const fields = text.slice(text.lastIndexOf('\n', at) + 1, end < 0 ? undefined : end).trim().split(/\s+/);
          // sl local rem st tx:rx tr:when retrnsmt uid …
          const uid = Number(fields[7]);
          return fields[3] === TIME_WAIT || !Number.isInteger(uid) ? undefined : uid;
        }
      }
      if (bytesRead === 0) return undefined;
      // Keep only the unfinished last line for the next chunk.
      text = text.slice(text.lastIndexOf('\n') + 1);
    }
  } finally {
    await fh.close();
  }
}

/**
 * The uid owning the client end of a TCP connection to this process, from /proc/net/tcp{,6}; undefined where
 * the OS does not say (no /proc, as on macOS and Windows) or the client's socket is gone.
 */
export async function tcpPeerUid(ends: TcpEnds): Promise<number | undefined> {
  for (const { table, needle } of candidates(ends)) {
    const uid = await uidInTable(table, needle);
    if (uid !== undefined) return uid;
  }
  return undefined;
}
