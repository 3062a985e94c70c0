// The sharp baseline: every width resized from the original buffer, all widths at once (Promise.all), as
// Strapi and Payload do. Times are taken inside node, so node's start-up is not counted; cpu_seconds is the
// CPU time of the whole node process (all threads) during the run.
//
//   node resize.mjs FILE REPEATS WIDTH...   one warm-up run, then REPEATS timed runs; prints one JSON object
//   node resize.mjs --stdin WIDTH...        one timed run per file path read from stdin; one JSON line each
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import sharp from "sharp";

const QUALITY = { jpeg: { quality: 82 }, webp: { quality: 82 }, avif: { quality: 55 }, png: {}, gif: {} };

async function variants(input, widths) {
  const { format } = await sharp(input).metadata();
  const outputs = await Promise.all(
    widths.map((width) =>
      sharp(input, { animated: true, failOn: "truncated" })
        .rotate()
        .resize({ width, withoutEnlargement: true })
        .toFormat(format, QUALITY[format])
        .toBuffer(),
    ),
  );
  return outputs.map((output) => output.length);
}

async function timed(input, widths) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const bytes = await variants(input, widths);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const { user, system } = process.cpuUsage(cpu);
  return { seconds, cpu_seconds: (user + system) / 1e6, bytes };
}

const args = process.argv.slice(2);
if (args[0] === "--stdin") {
  const widths = args.slice(1).map(Number);
  for await (const line of createInterface({ input: process.stdin })) {
    const result = await timed(readFileSync(line.trim()), widths);
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
