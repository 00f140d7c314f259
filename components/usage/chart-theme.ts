/** Chart colours from the theme's CSS variables, so the dark theme recolours charts as it does the rest. */
export const GRID = "var(--color-slate-200, #e2e8f0)";

export const AXIS = {
  stroke: "var(--color-slate-400, #94a3b8)",
  tick: { fill: "var(--color-slate-600, #475569)", fontSize: 12 },
  tickLine: false,
} as const;

export const TOOLTIP = {
  contentStyle: {
    background: "var(--color-white, #ffffff)",
    border: "1px solid var(--color-slate-200, #e2e8f0)",
    borderRadius: 6,
    color: "var(--color-slate-900, #0f172a)",
    fontSize: 12,
  },
  labelStyle: { color: "var(--color-slate-900, #0f172a)", fontWeight: 600 },
  cursor: { fill: "var(--color-slate-100, #f1f5f9)" },
} as const;
