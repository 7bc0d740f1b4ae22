import http from 'node:http';

// The baseline: a bare Node HTTP server answering every POST with one fixed TwiML document,
// after reading the body as careline must. Whatever careline spends beyond this is its own.
const TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf speech" numDigits="1" action="http://127.0.0.1/next"><Say voice="Polly.Joanna" language="en-US">For prescription refills, press 1.</Say></Gather></Response>';

const server = http.createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(TWIML);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`ready ${(server.address() as { port: number }).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
