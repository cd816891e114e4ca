// Text metrics shared by the layout (node sizes) and the SVG renderer: the diagram uses a
// monospace font, so text widths are known without a browser to measure them. And the
// sizes up to which a topology is laid out.

export const FONT_SIZE = 11;
export const CHAR_WIDTH = 6.8;
export const LINE_HEIGHT = 14;
export const NODE_PAD_X = 8;
export const NODE_PAD_Y = 6;
export const BOX_LABEL_HEIGHT = 18;

/**
 * Above this many nodes ELK stops keeping the model's order (that costs most of the time
 * on big trees: 585 nodes take 7 s with it, 1.6 s without).
 */
export const LARGE_LAYOUT_NODES = 150;
/** Above this many nodes nothing is laid out (seconds of blocking for a picture nobody can read). */
export const MAX_LAYOUT_NODES = 1000;
