"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Dialog } from "./Dialog";
import { type ClientOrganization, NewClientForm } from "./NewClientForm";

/** The `New client` button of My Clients and its form. */
export function NewClientDialog({ organizations }: { organizations: ClientOrganization[] }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  return (
    <div className="flex flex-col items-end gap-2">
      <Button
        type="button"
        onClick={() => {
          setCreated(null);
          setOpen(true);
        }}
      >
        New client
      </Button>
      {created && <Alert kind="success">Client {created} created, with its own API key.</Alert>}
      <Dialog open={open} onClose={() => setOpen(false)} title="New client">
        <NewClientForm
          organizations={organizations}
          onCancel={() => setOpen(false)}
          onCreated={(client) => {
            setCreated(client.name);
            setOpen(false);
          }}
        />
      </Dialog>
    </div>
  );
}
