"use client";

import Link from "next/link";
import { DataTable, dataTableColumns } from "@/components/data-table/DataTable";
import type { TableSort } from "@/components/data-table/params";
import type { ManagedOrganization } from "@/lib/domain/organizations";
import { ROLE_LABELS } from "./format";

const col = dataTableColumns<ManagedOrganization>();
const count = (id: string, header: string, key: "apiCount" | "planCount" | "clientCount" | "memberCount") =>
  col.accessor(key, { id, header, meta: { className: "text-right tabular-nums" } });
const columns = col.columns([
  col.accessor("name", {
    id: "name",
    header: "Organization",
    cell: (info) => {
      const org = info.row.original;
      return (
        <div className="flex flex-col">
          <Link href={`/manage/${org.slug}`} className="font-medium text-brand-700 hover:underline">
            {org.name}
          </Link>
          {org.description && <span className="text-xs text-slate-600">{org.description}</span>}
        </div>
      );
    },
  }),
  col.accessor("slug", { id: "slug", header: "Identifier", cell: (info) => <span className="font-mono text-xs">{info.getValue()}</span> }),
  col.accessor("role", { id: "role", header: "Your role", enableSorting: false, cell: (info) => (info.getValue() ? ROLE_LABELS[info.getValue()!] : "Administrator") }),
  count("apis", "APIs", "apiCount"),
  count("plans", "Plans", "planCount"),
  count("clients", "Clients", "clientCount"),
  count("members", "Members", "memberCount"),
]);

/** The organizations on /manage, each a link to its page. */
export function OrganizationsTable({ rows, total, pageSize, defaultSort }: { rows: ManagedOrganization[]; total: number; pageSize: number; defaultSort: TableSort }) {
  return (
    <DataTable
      columns={columns}
      rows={rows}
      total={total}
      pageSize={pageSize}
      label="Organizations"
      defaultSort={defaultSort}
      getRowId={(row) => row.id}
      filterLabel="Filter organizations"
      filterPlaceholder="Name or identifier…"
      emptyMessage="No organization here yet. Create one below."
    />
  );
}
