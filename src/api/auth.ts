// Bearer auth (docs/reference.md, HTTP API): constant-time comparison; no API_TOKEN configured means closed.

async function digest(s: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
}

const digests = new Map<string, Promise<ArrayBuffer>>();

/** Compares SHA-256 digests, so neither length nor content leaks through timing. */
export async function authorized(req: Request, token: string | undefined): Promise<boolean> {
  if (!token) return false;
  const header = req.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(header);
  const given = m ? m[1]!.trim() : "";
  // The token's digest is made once per isolate (and token), not on every request.
  let tokenDigest = digests.get(token);
  if (!tokenDigest) {
    tokenDigest = digest(token);
    digests.set(token, tokenDigest);
  }
  const [a, b] = await Promise.all([digest(given), tokenDigest]);
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBuffer, b: ArrayBuffer) => boolean };
  if (subtle.timingSafeEqual) return subtle.timingSafeEqual(a, b) && given.length > 0;
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0 && given.length > 0;
}
