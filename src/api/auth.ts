// Bearer auth (docs/reference.md, HTTP API): constant-time comparison; no API_TOKEN configured means closed.

async function digest(s: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
}

const digests = new Map<string, ArrayBuffer>();

/** Compares SHA-256 digests, so neither length nor content leaks through timing. */
export async function authorized(req: Request, token: string | undefined): Promise<boolean> {
  if (!token) return false;
  const header = req.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(header);
  const given = m ? m[1]!.trim() : "";
  // The token's digest is kept per isolate (and token), as a value: a promise made in one
  // request must not be awaited by another in workerd.
  let b = digests.get(token);
  const a = await digest(given);
  if (!b) {
    b = await digest(token);
    digests.set(token, b);
  }
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBuffer, b: ArrayBuffer) => boolean };
  if (subtle.timingSafeEqual) return subtle.timingSafeEqual(a, b) && given.length > 0;
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0 && given.length > 0;
}
