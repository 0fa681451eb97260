// Preload (`node --import`) for peers that cannot choose their listen address: binds their servers to 127.0.0.1 only.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  // listen(port[, cb]) → listen(port, '127.0.0.1'[, cb]); any other form is left alone.
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};
