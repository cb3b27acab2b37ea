/**
 * A minimal `fetch` over node:http, standing in for React Native's networking in the Hermes runs: Node's
 * own fetch (undici) needs WebAssembly and TextDecoder, which those runs delete on purpose.
 */
import { request } from 'node:http';
import type { FetchLike } from '../src/http.js';

export const nodeHttpFetch: FetchLike = (input, init) =>
  new Promise((resolve, reject) => {
    const req = request(input, { method: init.method, headers: init.headers, signal: init.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, text: async () => body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
