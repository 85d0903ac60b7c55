// Portkey's gateway listens on every interface and has no option to change that; this preload
// makes every server it opens listen on 127.0.0.1 only, so the benchmark exposes nothing.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number') {
    const callback = typeof args[args.length - 1] === 'function' ? args[args.length - 1] : undefined;
    return listen.call(this, { port: args[0], host: '127.0.0.1' }, callback);
  }
  if (args[0] && typeof args[0] === 'object' && args[0].port !== undefined) {
    return listen.call(this, { ...args[0], host: '127.0.0.1' }, ...args.slice(1));
  }
  return listen.apply(this, args);
};
