// Prints a request path signed for a Worker with SIGNING_KEY set (see README "Signed URLs").
// Usage: SIGNING_KEY=... npm run sign -- '/image/width=800,fit=cover/photos/cat.jpg'
//        SIGNING_KEY=... npm run sign -- '/transform?width=800&format=webp'
// The path is signed as written, so give it as it will be sent (percent-encoded where needed).
import { createHmac } from 'node:crypto';

const key = process.env.SIGNING_KEY;
const path = process.argv[2];
if (!key || !path) {
  console.error("usage: SIGNING_KEY=<secret> npm run sign -- '<path>'");
  process.exit(2);
}
const signature = createHmac('sha256', key).update(path).digest('base64url');
const transform = path.match(/^\/transform\?(.*)$/s);
const image = path.match(/^(\/(?:cdn-cgi\/)?image\/)([^/]*)(\/.*)$/s);
if (transform) {
  console.log(`/transform?${transform[1]}${transform[1] ? '&' : ''}sig=${signature}`);
} else if (image) {
  console.log(`${image[1]}${image[2]},sig=${signature}${image[3]}`);
} else {
  console.error('the path must start with /image/, /cdn-cgi/image/ or /transform?');
  process.exit(2);
}
