// The bench's reference: a plain Node http server that writes each request body to a file, nothing
// else. Prints its port, then serves until killed.
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';

const target = process.argv[2] as string;
http
  .createServer((req, res) => {
    pipeline(req, createWriteStream(target)).then(
      () => res.end('ok\n'),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  })
  .listen(0, '127.0.0.1', function (this: http.Server) {
    process.stdout.write(`${(this.address() as { port: number }).port}\n`);
  });
