/** A response ready to write. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}
