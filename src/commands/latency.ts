// The latency monitor (latency.c): with latency-monitor-threshold above 0, calls that take
// at least that many milliseconds are sampled per event ("command", "fast-command"), one
// sample per second at most, the last 160 kept; LATENCY LATEST/HISTORY/RESET/DOCTOR/HELP.

import { readFileSync } from 'node:fs';
import { ADMIN_FLAGS, containerCommand, subcommand, type CommandFlag, type CommandSpec, type Handler } from './spec';
import type { NodeContext } from '../node-context';
import { statusLines } from '../resp/replies';
import { Err } from '../errors';

/** Samples kept per event (LATENCY_TS_LEN). */
const HISTORY_LEN = 160;

interface Sample {
  /** Unix seconds. */
  time: number;
  /** Milliseconds. */
  latency: number;
}

/** One event's samples, oldest first, and its all-time maximum (latencyTimeSeries). */
interface Series {
  samples: Sample[];
  max: number;
}

export class LatencyMonitor {
  /** Events in the order they were first seen. */
  private readonly events = new Map<string, Series>();

  constructor(private readonly limits: { readonly latencyMonitorThreshold: number }) {}

  /** latencyAddSampleIfNeeded: `ms` is recorded when the monitor is on and it reaches the threshold. */
  addSampleIfNeeded(event: string, ms: number): void {
    const threshold = this.limits.latencyMonitorThreshold;
    if (threshold !== 0 && ms >= threshold) this.addSample(event, ms, Math.floor(Date.now() / 1000));
  }

  /** latencyAddSample: one sample per second per event, the highest of that second. */
  addSample(event: string, ms: number, now: number): void {
    let ts = this.events.get(event);
    if (ts === undefined) this.events.set(event, (ts = { samples: [], max: 0 }));
    if (ms > ts.max) ts.max = ms;
    const last = ts.samples[ts.samples.length - 1];
    if (last !== undefined && last.time === now) {
      if (ms > last.latency) last.latency = ms;
      return;
    }
    ts.samples.push({ time: now, latency: ms });
    if (ts.samples.length > HISTORY_LEN) ts.samples.shift();
  }

  get(event: string): Series | undefined {
    return this.events.get(event);
  }

  entries(): IterableIterator<[string, Series]> {
    return this.events.entries();
  }

  get size(): number {
    return this.events.size;
  }

  /** latencyResetEvent: every event, or those named (case-insensitively); how many were. */
  reset(names: readonly string[] | null): number {
    let resets = 0;
    for (const event of [...this.events.keys()]) {
      if (names === null || names.some((n) => n.toLowerCase() === event.toLowerCase())) {
        this.events.delete(event);
        resets++;
      }
    }
    return resets;
  }
}

// ── LATENCY DOCTOR (createLatencyReport) ────────────────────────────────────────────────

/** analyzeLatencyForEvent: sample count, average and mean absolute deviation (integer ms), period. */
function analyze(ts: Series, now: number): { samples: number; avg: number; mad: number; period: number } {
  const n = ts.samples.length;
  if (n === 0) return { samples: 0, avg: 0, mad: 0, period: 0 };
  let sum = 0;
  let oldest = 0;
  for (const s of ts.samples) {
    sum += s.latency;
    if (oldest === 0 || s.time < oldest) oldest = s.time;
  }
  const avg = Math.floor(sum / n);
  const period = now - oldest || 1;
  let dev = 0;
  for (const s of ts.samples) dev += Math.abs(avg - s.latency);
  return { samples: n, avg, mad: Math.floor(dev / n), period };
}

/** THPGetAnonHugePagesSize: transparent huge pages this process uses (0 when unknown). */
function anonHugePages(): number {
  try {
    const m = /^AnonHugePages:\s+(\d+)/m.exec(readFileSync('/proc/self/smaps_rollup', 'latin1'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

const ADVICE = {
  slowlogInspect:
    '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n',
  scheduler:
    '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n' +
    '  1) Lower the system load.\n' +
    '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
    '  3) Check if you have a "noisy neighbour" problem.\n' +
    "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
    '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n',
  largeObjects:
    '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n',
  disableThp:
    "- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n",
};

/** createLatencyReport for the events Cinnabar records ("command" and "fast-command"). */
export function latencyReport(node: NodeContext): string {
  const monitor = node.latency;
  const threshold = node.config.v.latencyMonitorThreshold;
  if (monitor.size === 0 && threshold === 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
  }
  const now = Math.floor(Date.now() / 1000);
  const slowerThan = node.config.v.slowlogLogSlowerThan;
  let report = '';
  let eventnum = 0;
  let advices = 0;
  let slowlogEnabled = false;
  let slowlogTuning = false;
  let slowlogInspect = false;
  let scheduler = false;
  let largeObjects = false;
  for (const [event, ts] of monitor.entries()) {
    eventnum++;
    if (eventnum === 1) report += "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
    const ls = analyze(ts, now);
    report +=
      `${eventnum}. ${event}: ${ls.samples} latency spikes (average ${ls.avg}ms, mean deviation ${ls.mad}ms, ` +
      `period ${(ls.period / ls.samples).toFixed(2)} sec). Worst all time event ${ts.max}ms.`;
    if (event === 'command') {
      if (slowerThan < 0) {
        slowlogEnabled = true;
        advices++;
      } else if (Math.trunc(slowerThan / 1000) > threshold) {
        slowlogTuning = true;
        advices++;
      }
      slowlogInspect = true;
      largeObjects = true;
      advices += 2;
    } else if (event === 'fast-command') {
      scheduler = true;
      advices++;
    }
    report += '\n';
  }
  const thp = anonHugePages() > 0;
  if (thp) advices++;
  if (eventnum === 0 && advices === 0) {
    return (
      report +
      'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n'
    );
  }
  if (eventnum > 0 && advices === 0) {
    return (
      report +
      "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n"
    );
  }
  report += '\nI have a few advices for you:\n\n';
  if (slowlogEnabled) {
    report += `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${threshold * 1000}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`;
  }
  if (slowlogTuning) {
    report += `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${threshold * 1000}'.\n`;
  }
  if (slowlogInspect) report += ADVICE.slowlogInspect;
  if (scheduler) report += ADVICE.scheduler;
  if (largeObjects) report += ADVICE.largeObjects;
  if (thp) report += ADVICE.disableThp;
  return report;
}

// ── LATENCY GRAPH (latencyCommandGenSparkeline, sparkline.c) ────────────────────────────

const GRAPH_COLS = 80;
const GRAPH_ROWS = 4;
const FILL_CHARS = '_o#';

/** sparklineRenderRange with SPARKLINE_FILL: rows of bars, then the labels written downwards. */
function renderRange(values: number[], labels: string[], min: number, max: number, offset: number, len: number): string {
  const relmax = max - min === 0 ? 1 : max - min;
  const steps = FILL_CHARS.length * GRAPH_ROWS;
  let out = '';
  for (let row = 0; ; row++) {
    let more = false;
    const chars = new Array<string>(len).fill(' ');
    for (let j = 0; j < len; j++) {
      let step = Math.trunc(Math.trunc((values[j + offset] - min) * steps) / relmax);
      step = Math.min(Math.max(step, 0), steps - 1);
      if (row < GRAPH_ROWS) {
        more = true;
        const idx = step - (GRAPH_ROWS - row - 1) * FILL_CHARS.length;
        if (idx >= 0 && idx < FILL_CHARS.length) chars[j] = FILL_CHARS[idx];
        else if (idx >= FILL_CHARS.length) chars[j] = '|';
      } else {
        // One blank row between the bars and the labels (label_margin_top).
        if (row - GRAPH_ROWS < 1) {
          more = true;
          break;
        }
        const label = labels[j + offset];
        const at = row - GRAPH_ROWS - 1;
        if (label.length > at) {
          more = true;
          chars[j] = label[at];
        }
      }
    }
    if (!more) return out;
    out += chars.join('') + '\n';
  }
}

/** How long ago, as the graph labels it: 5s, 3m, 2h, 1d. */
function ago(elapsed: number): string {
  if (elapsed < 60) return `${elapsed}s`;
  if (elapsed < 3600) return `${Math.trunc(elapsed / 60)}m`;
  if (elapsed < 86400) return `${Math.trunc(elapsed / 3600)}h`;
  return `${Math.trunc(elapsed / 86400)}d`;
}

function sparkline(event: string, ts: Series, now: number): string {
  const values = ts.samples.map((s) => s.latency);
  const labels = ts.samples.map((s) => ago(now - s.time));
  const low = Math.min(...values);
  const high = Math.max(...values);
  let out = `${event} - high ${high} ms, low ${low} ms (all time high ${ts.max} ms)\n` + '-'.repeat(GRAPH_COLS) + '\n';
  for (let j = 0; j < values.length; j += GRAPH_COLS) {
    if (j !== 0) out += '\n';
    out += renderRange(values, labels, low, high, j, Math.min(GRAPH_COLS, values.length - j));
  }
  return out;
}

// ── Commands ─────────────────────────────────────────────────────────────────────────────

const HELP_REPLY = statusLines([
  'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
  'HELP',
  '    Prints this help.',
]);

/** latencyCommandReplyWithLatestEvents: [event, time, latest ms, max ms] per event. */
const latest: Handler = (c, _args, node) => {
  c.arrayHeader(node.latency.size);
  for (const [event, ts] of node.latency.entries()) {
    const last = ts.samples[ts.samples.length - 1];
    c.arrayHeader(4);
    c.bulk(event);
    c.int(last?.time ?? 0);
    c.int(last?.latency ?? 0);
    c.int(ts.max);
  }
};

/** latencyCommandReplyWithSamples: [time, ms] per sample, oldest first. */
const history: Handler = (c, args, node) => {
  const ts = node.latency.get(args[2]);
  const samples = ts?.samples ?? [];
  let out = '*' + samples.length + '\r\n';
  for (const s of samples) out += '*2\r\n:' + s.time + '\r\n:' + s.latency + '\r\n';
  c.write(out);
};

const graph: Handler = (c, args, node) => {
  const ts = node.latency.get(args[2]);
  if (ts === undefined) return c.error(Err.latencyNoSamples(args[2]));
  c.verbatim(sparkline(args[2], ts, Math.floor(Date.now() / 1000)));
};

const reset: Handler = (c, args, node) => {
  c.int(node.latency.reset(args.length === 2 ? null : args.slice(2)));
};

const ADMIN = ADMIN_FLAGS;

function sub(name: string, arity: number, run: Handler, flags: readonly CommandFlag[] = ADMIN): CommandSpec {
  return subcommand(name, arity, flags, 'server', run);
}

export const latencyCommands: CommandSpec[] = [
  // Subcommands in the order Redis's subcommand dict lists them (COMMAND INFO / DOCS show it).
  containerCommand('latency', 'server', [
    sub('latest', 2, latest),
    sub('help', 2, (c) => c.write(HELP_REPLY), ['loading', 'stale']),
    sub('graph', 3, graph),
    sub('reset', -2, reset),
    sub('history', 3, history),
    sub('doctor', 2, (c, _args, node) => c.verbatim(latencyReport(node))),
  ]),
];
