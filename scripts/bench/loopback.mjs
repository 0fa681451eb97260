// Preload (`node --import`) for peers that cannot choose their listen address: binds their servers to 127.0.0.1 only.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  // listen(port[, cb]) → listen(port, '127.0.0.1'[, cb]) (port as a number or a numeric string); any other form is left alone.
  const port = typeof args[0] === 'string' && /^\d+$/.test(args[0]) ? Number(args[0]) : args[0];
  if (typeof port === 'number' && (args.length === 1 || typeof args[1] === 'function')) args.splice(0, 1, port, '127.0.0.1');
  return listen.apply(this, args);
};
