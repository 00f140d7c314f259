/**
 * The URL search params of a DataTable, for the browser. The rules live once, in the domain's
 * list schema (lib/domain/list-params.ts, pure zod): pages parse with it, and so does the table.
 */
export {
  formatSort,
  formatTotal,
  isCappedTotal,
  pageFromStart,
  TOTAL_CAP,
  listParamNames as tableParamNames,
  listParamsSchema,
  type ListSort as TableSort,
  pageCountOf,
  parseSort,
  type SearchParamsRecord,
} from "@/lib/domain/list-params";
