/**
 * One search hit as ranking sees it: its place in the backend's order and the fields the scoring
 * reads. Ranking owns this shape; each adapter builds it from its engine's JSON.
 */
export interface HitView {
  /** Position in the backend's order (0-based). */
  index: number;
  /**
   * The product id as a string (numeric ids are converted). "" when the hit has none: the hit
   * keeps its place in the list and ranking treats it as an unknown product.
   */
  id: string;
  brand?: string;
  category?: string;
  tags: string[];
  price?: number;
  name?: string;
}
