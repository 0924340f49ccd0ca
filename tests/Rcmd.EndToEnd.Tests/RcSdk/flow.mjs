// One RC client session on rclone-sdk against Rcmd's /rc/ (RcSdkTests): rc/noop, sync/copy started with ASYNC (the SDK
// adds `Prefer: respond-async`), job/status (query parameters) until finished, job/batch, core/stats?group=job/N.
// Usage: node flow.mjs <base url of /rc> <source dir> <destination dir>; prints one JSON object of what it saw.
import createRCDClient from 'rclone-sdk';

const [baseUrl, source, destination] = process.argv.slice(2);
const rcd = createRCDClient({ baseUrl });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seen = {};

const noop = await rcd.POST('/rc/noop', { body: { hello: 'sdk', n: 1 } });
seen.noop = { status: noop.response.status, data: noop.data ?? noop.error };

const started = await rcd.ASYNC('/sync/copy', { body: { srcFs: source, dstFs: destination } });
seen.copy = {
  status: started.response.status,
  preferenceApplied: started.response.headers.get('Preference-Applied'),
  jobIdHeader: started.response.headers.get('x-rclone-jobid'),
  data: started.data ?? started.error,
};
const jobid = started.data?.jobid;

let status;
for (let i = 0; i < 600 && jobid !== undefined; i++) {
  const polled = await rcd.POST('/job/status', { params: { query: { jobid } } });
  status = polled.data ?? polled.error;
  if (status?.finished) break;
  await sleep(200);
}
seen.status = status;

const batch = await rcd.POST('/job/batch', {
  body: { inputs: [{ _path: 'rc/noop', n: 2 }, { _path: 'core/version' }, { _path: 'nope/x' }] },
});
seen.batch = { status: batch.response.status, data: batch.data ?? batch.error };

const stats = await rcd.POST('/core/stats', { params: { query: { group: `job/${jobid}` } } });
seen.stats = { status: stats.response.status, data: stats.data ?? stats.error };

console.log(JSON.stringify(seen));
