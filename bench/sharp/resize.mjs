// The sharp baseline: every width (in every format asked for) resized from the original buffer, all at
// once (Promise.all), as Strapi and Payload do. Times are taken inside node, so node's start-up is not
// counted; cpu_seconds is the CPU time of the whole node process (all threads) during the run.
//
//   node resize.mjs FILE REPEATS WIDTH...   one warm-up run, then REPEATS timed runs; prints one JSON object
//   node resize.mjs --stdin [--set=JSON] WIDTH...
//                                           one timed run per file path read from stdin; one JSON line each.
//                                           Without --set, each width in the original's format with QUALITY;
//                                           with it, each width in each format of the JSON object
//                                           ({"avif": {"quality": 50, "effort": 2}, ...}), bytes in that order.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import sharp from "sharp";

const QUALITY = { jpeg: { quality: 82 }, webp: { quality: 80 }, avif: { quality: 50 }, png: {}, gif: {} };

async function variants(input, widths, set) {
  const outputs = set ?? { [(await sharp(input).metadata()).format]: null };
  const jobs = Object.entries(outputs).flatMap(([format, options]) =>
    widths.map((width) =>
      sharp(input, { animated: true, failOn: "truncated" })
        .rotate()
        .resize({ width, withoutEnlargement: true })
        .toFormat(format, options ?? QUALITY[format])
        .toBuffer(),
    ),
  );
  return (await Promise.all(jobs)).map((output) => output.length);
}

async function timed(input, widths, set) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const bytes = await variants(input, widths, set);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const { user, system } = process.cpuUsage(cpu);
  return { seconds, cpu_seconds: (user + system) / 1e6, bytes };
}

const args = process.argv.slice(2);
if (args[0] === "--stdin") {
  const set = args[1]?.startsWith("--set=") ? JSON.parse(args[1].slice("--set=".length)) : null;
  const widths = args.slice(set ? 2 : 1).map(Number);
  for await (const line of createInterface({ input: process.stdin })) {
    const result = await timed(readFileSync(line.trim()), widths, set);
    process.stdout.write(`${JSON.stringify({ ...result, sharp: sharp.versions.sharp, vips: sharp.versions.vips, concurrency: sharp.concurrency() })}\n`);
  }
} else {
  const [file, repeats, ...widths] = args;
  const input = readFileSync(file);
  await timed(input, widths.map(Number));
  const runs = [];
  for (let index = 0; index < Number(repeats); index += 1) runs.push(await timed(input, widths.map(Number)));
  console.log(JSON.stringify({ seconds: runs.map((run) => run.seconds), bytes: runs[0].bytes, sharp: sharp.versions.sharp }));
}
