import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** A request of an `http:` check, sent from the host to a mapped port. */
export interface HttpCheckRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** The response to an `http:` check: status, headers as received, and the decoded body. */
export interface HttpCheckResponse {
  status: number;
  /** Headers by lower-case name. Repeated headers are joined with ", ", Set-Cookie lines with "\n". */
  headers: Record<string, string>;
  /** Every header line as received, in order, with the name's own case. */
  headersArray: { name: string; value: string }[];
  body: string;
}

/** Headers sent unless the check sets them: what a browser-like client sends. */
const DEFAULT_HEADERS: Record<string, string> = {
  accept: '*/*',
  'accept-encoding': 'gzip, deflate, br',
  'user-agent': 'gvmatrix',
};

/** Thrown when the whole exchange takes longer than the check's timeout. */
export class HttpTimeoutError extends Error {}

function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      return body;
  }
}

function headerRecord(headersArray: { name: string; value: string }[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (const { name, value } of headersArray) {
    const key = name.toLowerCase();
    const separator = key === 'set-cookie' ? '\n' : ', ';
    record[key] = key in record ? `${record[key]}${separator}${value}` : value;
  }
  return record;
}

/**
 * Sends one request of an `http:` check and reads the whole response. It follows no
 * redirect, decodes a gzip, deflate or brotli body, and closes the connection afterwards,
 * so no idle connection delays the server's exit when the container is stopped.
 *
 * Node's own client takes in a 32 MB body in a fraction of a second, where Playwright's
 * request API took several seconds on the host, which swamped the server's part of the
 * test's duration and so the runtime ratio (docs/findings.md). It also spares each worker
 * Playwright's in-process request service.
 */
export function sendHttpCheck(check: HttpCheckRequest): Promise<HttpCheckResponse> {
  const data = check.body === undefined ? undefined : Buffer.from(check.body, 'utf8');
  const headers: Record<string, string> = { ...DEFAULT_HEADERS, connection: 'close' };
  for (const [name, value] of Object.entries(check.headers)) {
    headers[name.toLowerCase()] = value;
  }
  if (data !== undefined) {
    headers['content-length'] = String(data.length);
  }

  return new Promise((resolveResponse, rejectResponse) => {
    let timer: NodeJS.Timeout | undefined;
    const resolve = (response: HttpCheckResponse) => {
      clearTimeout(timer);
      resolveResponse(response);
    };
    const reject = (error: unknown) => {
      clearTimeout(timer);
      rejectResponse(error);
    };
    const req = httpRequest(check.url, { method: check.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const headersArray: { name: string; value: string }[] = [];
        for (let index = 0; index + 1 < res.rawHeaders.length; index += 2) {
          headersArray.push({ name: res.rawHeaders[index]!, value: res.rawHeaders[index + 1]! });
        }
        const record = headerRecord(headersArray);
        try {
          const body = decodeBody(Buffer.concat(chunks), record['content-encoding']).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: record, headersArray, body });
        } catch (error) {
          reject(new Error(`the ${record['content-encoding']} body could not be decoded: ${error instanceof Error ? error.message : String(error)}`));
        }
      });
    });
    timer = setTimeout(() => req.destroy(new HttpTimeoutError(`no complete response within ${check.timeoutMs} ms`)), check.timeoutMs);
    req.on('error', reject);
    req.end(data);
  });
}
