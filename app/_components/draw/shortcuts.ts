// One list for the key handler's documentation and the "?" overlay.
export const shortcuts: { keys: string[]; label: string }[] = [
  { keys: ["B"], label: "Brush" },
  { keys: ["E"], label: "Eraser" },
  { keys: ["L"], label: "Freehand lasso (drag)" },
  { keys: ["P"], label: "Polygon lasso (click points; Enter, double-click or the first point closes)" },
  { keys: ["H"], label: "Hand: pan" },
  {
    keys: ["S"],
    label: "Smart tool (when the project has a click model): click adds, right-click or Alt+click removes",
  },
  { keys: ["A"], label: "Accept the Smart proposal into the mask (undoable)" },
  { keys: ["X"], label: "Lasso adds / subtracts" },
  { keys: ["Alt"], label: "Hold to do the opposite (brush erases, lasso subtracts)" },
  { keys: ["[", "]"], label: "Smaller / larger brush" },
  { keys: ["Ctrl+Z"], label: "Undo (during a Smart session: the last click)" },
  { keys: ["Ctrl+Shift+Z", "Ctrl+Y"], label: "Redo" },
  { keys: ["G"], label: "Fill holes" },
  { keys: ["Shift+Del"], label: "Clear the mask (undoable)" },
  { keys: ["F"], label: "Fit the image" },
  { keys: ["+", "-"], label: "Zoom in / out (or the wheel, or pinch)" },
  { keys: ["Space+drag", "Middle drag"], label: "Pan" },
  { keys: ["O"], label: "Outline only" },
  { keys: ["M"], label: "Show / hide the mask" },
  { keys: ["I"], label: "Invert the X-ray" },
  { keys: ["R"], label: "Reset brightness / contrast" },
  { keys: ["Esc"], label: "Discard the Smart proposal, cancel the polygon, close this help" },
  { keys: ["Enter"], label: "Submit (or accept the Smart proposal, or close the polygon being drawn)" },
  { keys: ["?"], label: "This help" },
];

/** The few shown under the toolbar at all times (the rest behind "?"). */
export const shortcutHint: { keys: string; label: string }[] = [
  { keys: "B / E", label: "brush / eraser" },
  { keys: "[ ]", label: "brush size" },
  { keys: "Alt", label: "opposite" },
  { keys: "Ctrl+Z", label: "undo" },
  { keys: "G", label: "fill holes" },
  { keys: "Enter", label: "submit" },
  { keys: "?", label: "all shortcuts" },
];
