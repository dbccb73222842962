/**
 * Connection-level faults, for clients that must survive production networks: a frozen (half-open)
 * connection that neither answers nor closes (a NAT or firewall that dropped its entry), a GOAWAY
 * (optionally followed by a close), and RST_STREAM with a chosen code before the response. HTTP/2 only
 * for GOAWAY and RST_STREAM; over HTTP/1.1 they close the socket.
 */
import http2 from 'node:http2';
import type { ConnectionFault } from './faults.js';
import type { Socket } from 'node:net';
import { connectionSocket, type EmulatorRequest } from './transport.js';

export function applyConnectionFault(req: EmulatorRequest, fault: ConnectionFault): void {
  const stream = (req as http2.Http2ServerRequest).stream as http2.ServerHttp2Stream | undefined;
  switch (fault.kind) {
    case 'freeze': {
      // Stop reading below HTTP/2, keep the socket open: PINGs and requests go unanswered, nothing closes.
      const socket = connectionSocket(req) as (Socket & { _handle?: { readStop?: () => void } }) | undefined;
      socket?.pause();
      socket?._handle?.readStop?.();
      return;
    }
    case 'goaway': {
      const session = stream?.session;
      if (session === undefined) {
        req.socket.destroy();
        return;
      }
      // The last stream processed is the one before this: this stream was not, the client may resend it.
      session.goaway(http2.constants.NGHTTP2_NO_ERROR, Math.max(0, (stream?.id ?? 1) - 2));
      if (fault.close === true) setImmediate(() => session.destroy());
      else stream?.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      return;
    }
    case 'rst-stream':
      if (stream === undefined) req.socket.destroy();
      else stream.close(fault.code);
      return;
  }
}
