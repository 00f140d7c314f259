export interface TabDef {
  /** The value of `?tab=`. */
  id: string;
  label: string;
}

export function tabDomIds(idPrefix: string, tab: string) {
  return { tab: `${idPrefix}-tab-${tab}`, panel: `${idPrefix}-panel-${tab}` };
}

/** The selected tab from `?tab=`, matched without regard to case; the first tab otherwise. */
export function selectedTab(tabs: readonly TabDef[], value: string | string[] | undefined): string {
  const wanted = (Array.isArray(value) ? value[0] : value)?.toLowerCase();
  return tabs.find((t) => t.id === wanted)?.id ?? tabs[0].id;
}
