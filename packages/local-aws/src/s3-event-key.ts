const KEPT = /[A-Za-z0-9\-_.*/]/;

/**
 * Encodes an object key the way S3 writes it into event notifications: HTML-form URL encoding
 * (`application/x-www-form-urlencoded`) with `/` kept. A space becomes `+`, a literal `+` becomes
 * `%2B`, every other byte outside `A-Z a-z 0-9 - _ . * /` of the key's UTF-8 form becomes `%XX`.
 *
 * @example
 * ```ts
 * import { encodeS3EventKey } from '@media-server/local-aws';
 *
 * console.log(encodeS3EventKey('uploads/red flower+1.jpg')); // uploads/red+flower%2B1.jpg
 * ```
 */
export function encodeS3EventKey(key: string): string {
  let out = '';
  for (const char of key) {
    if (char === ' ') out += '+';
    else if (KEPT.test(char)) out += char;
    else {
      for (const byte of Buffer.from(char, 'utf8')) {
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
  }
  return out;
}

/**
 * Decodes a key from an S3 event notification back to the object key (`+` is a space, `%XX` a byte of
 * its UTF-8 form).
 *
 * @throws URIError when `encoded` holds a `%` that is not followed by two hex digits of valid UTF-8.
 * @example
 * ```ts
 * import { decodeS3EventKey, type S3EventNotification } from '@media-server/local-aws';
 *
 * const body: S3EventNotification = JSON.parse('{"Records":[{"s3":{"object":{"key":"uploads/red+flower%2B1.jpg"}}}]}');
 * console.log(decodeS3EventKey(body.Records[0]?.s3.object.key ?? '')); // uploads/red flower+1.jpg
 * ```
 */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replaceAll('+', ' '));
}
