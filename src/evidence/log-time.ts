/**
 * Times of runsc debug log lines, for putting the lines of one container's logs in order.
 *
 * A glog line carries month, day and local time but no year or zone, so its time is read
 * as if the local time were UTC, with the year from the log's file name. A
 * `--debug-log-format=json` line carries a full RFC 3339 `time`, which is read as written.
 * The values therefore order lines of logs in one format, written by runsc processes with
 * the same time zone, which is how one Podman endpoint writes them. They are no epoch
 * values to compare with the clock of this process.
 */

/** `I1204 20:12:22.405934 ...`: severity, month, day, then the time of day. */
const GLOG_TIME = /^[IWEFD](\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)?\s/;

/** `runsc.log.20261204-201222.405934.boot.txt`: the date the runsc command started. */
const FILE_NAME_DATE = /runsc\.log\.(\d{4})(\d{2})\d{2}-\d{6}\.\d+\.[a-z]/;

/**
 * Returns the time of one debug log line in milliseconds, or undefined for a line without
 * a time (Go runtime output, a partial line). `logFile` is the log's name or path, whose
 * date gives the year of a glog line.
 */
export function lineTime(line: string, logFile: string): number | undefined {
  const glog = GLOG_TIME.exec(line);
  if (glog !== null) {
    return glogTime(glog, logFile);
  }
  return jsonTime(line);
}

/** Returns the time of the first line of a log that has one, which is when its command started. */
export function firstLineTime(text: string, logFile: string): number | undefined {
  for (const line of text.split('\n')) {
    const time = lineTime(line, logFile);
    if (time !== undefined) {
      return time;
    }
  }
  return undefined;
}

function glogTime(match: RegExpExecArray, logFile: string): number | undefined {
  const [, month, day, hours, minutes, seconds, fraction] = match;
  const started = FILE_NAME_DATE.exec(logFile);
  if (started === null) {
    return undefined;
  }

  // A log started in December may hold lines from January of the next year.
  const startYear = Number(started[1]);
  const startMonth = Number(started[2]);
  const year = Number(month) < startMonth ? startYear + 1 : startYear;

  const wholeSeconds = Date.UTC(year, Number(month) - 1, Number(day), Number(hours), Number(minutes), Number(seconds));
  return wholeSeconds + Number(fraction ?? 0) * 1000;
}

function jsonTime(line: string): number | undefined {
  if (!line.trimStart().startsWith('{')) {
    return undefined;
  }

  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && 'time' in parsed && typeof parsed.time === 'string') {
      const time = Date.parse(parsed.time);
      return Number.isNaN(time) ? undefined : time;
    }
  } catch {
    // A line cut short while runsc is still writing it is not JSON yet.
  }
  return undefined;
}
