// Mount the PowerAuth-compatible routes in an existing Fastify app: its own routes stay as they are.
import { offcodeRoutes } from '@offcode/fastify';
import { createOffcodeServer, loadConfigOrThrow, openStorage } from '@offcode/server';
import Fastify from 'fastify';

const config = loadConfigOrThrow({ OFFCODE_DATA_DIR: 'memory://', OFFCODE_TEMP_BLOCK_SWEEP_MS: '0' });
const storage = await openStorage(config);
const server = await createOffcodeServer({ config, storage });

const app = Fastify();
app.get('/bank/hello', async () => ({ hello: 'from the bank' })); // the bank's own route
await app.register(offcodeRoutes, {
  server,
  credentials: [{ token: 'bank-backend', secret: 'change-me' }], // HTTP Basic for the protected routes
  prefix: '/offcode',
  mount: { docs: false }, // every group but the Swagger UI viewer
});
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${app.server.address().port}`;

const post = (path, requestObject, auth = true) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(auth ? { authorization: `Basic ${Buffer.from('bank-backend:change-me').toString('base64')}` } : {}),
    },
    body: JSON.stringify({ requestObject }),
  });

const created = await post('/offcode/rest/v4/application/create', { applicationId: 'my-bank' });
const refused = await post('/offcode/rest/v4/application/list', {}, false);
const unknown = await fetch(`${base}/offcode/rest/v4/nothing`);
const hello = await fetch(`${base}/bank/hello`);
console.log(
  created.status,
  (await created.json()).responseObject.applicationId,
  refused.status,
  (await refused.json()).responseObject.code,
  unknown.status,
  (await unknown.json()).responseObject.code,
  (await hello.json()).hello,
); // 200 my-bank 401 OFF-0001 404 ERROR_NOT_FOUND from the bank

await app.close();
await server.close();
await storage.close();
