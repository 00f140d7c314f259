"use client";

import { useState } from "react";
import { slugFromName } from "@/lib/domain/slug-text";
import { TextField } from "./ActionForm";
import { TEXT_LIMITS } from "@/lib/domain/text";

/** A name and an identifier that follows it until the user edits the identifier. */
export function SlugFields({ nameLabel = "Name", slugLabel = "Identifier", slugHint }: { nameLabel?: string; slugLabel?: string; slugHint?: string }) {
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [edited, setEdited] = useState(false);
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <TextField
        label={nameLabel}
        name="name"
        required
        maxLength={TEXT_LIMITS.name}
        value={name}
        onChange={(event) => {
          setName(event.target.value);
          if (!edited) setSlug(slugFromName(event.target.value));
        }}
      />
      <TextField
        label={slugLabel}
        name="slug"
        required
        maxLength={64}
        pattern="[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?"
        hint={slugHint ?? "Lowercase letters, digits and dashes; used in URLs."}
        value={slug}
        onChange={(event) => {
          setSlug(event.target.value);
          setEdited(event.target.value !== "");
        }}
      />
    </div>
  );
}
