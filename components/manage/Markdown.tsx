import { marked } from "marked";
import sanitizeHtml from "sanitize-html";

/** Markdown written by API providers, rendered on the server; sanitized, so no script reaches the page. */
export function Markdown({ text }: { text: string }) {
  const html = sanitizeHtml(marked(text, { async: false, gfm: true }), {
    allowedTags: sanitizeHtml.defaults.allowedTags.concat(["h1", "h2", "img"]),
    allowedAttributes: { ...sanitizeHtml.defaults.allowedAttributes, code: ["class"], img: ["src", "alt", "title"] },
    allowedSchemes: ["http", "https", "mailto"],
  });
  return (
    <div
      className="prose-sm max-w-none text-sm leading-6 [&_code]:rounded [&_code]:bg-slate-100 [&_code]:px-1 [&_h1]:text-xl [&_h1]:font-semibold [&_h2]:mt-4 [&_h2]:text-lg [&_h2]:font-semibold [&_h3]:font-semibold [&_li]:ml-5 [&_ol]:list-decimal [&_p]:my-2 [&_pre]:overflow-x-auto [&_pre]:rounded-md [&_pre]:bg-slate-900 [&_pre]:p-3 [&_pre]:text-slate-100 [&_pre_code]:bg-transparent [&_ul]:list-disc"
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
