/** Escapes text for XML element content (including characters AWS escapes as entities). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (character) => {
    switch (character) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return '&#xD;';
    }
  });
}

/** `<name>escaped text</name>`. */
export function element(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}
