import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

const markdown = new Marked({ gfm: true, async: false });

const LINK_REL = "noopener noreferrer nofollow";

/**
 * An image becomes a link to it, named by its alt text: a remote image in the docs would load as
 * the page opens and tell its host who reads them. Nothing loads until the reader clicks.
 */
function imageAsLink(_tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const alt = (attribs.alt ?? "").trim();
  const text = alt ? `Image: ${alt} (link)` : "Image (link)";
  const src = (attribs.src ?? "").trim();
  if (!/^https?:\/\//i.test(src)) return { tagName: "span", attribs: {}, text: alt ? `Image: ${alt}` : "Image" };
  return { tagName: "a", attribs: { href: src, rel: LINK_REL, ...(attribs.title ? { title: attribs.title } : {}) }, text };
}

/**
 * An API's docs (markdown written by its provider) as HTML that is safe to show to everyone:
 * no scripts, event handlers, styles, frames, foreign URL schemes or images that load by
 * themselves. Headings start at level 3, below the page's own.
 */
export function renderDocs(source: string): string {
  const html = markdown.parse(source) as string;
  return sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, "del"],
    allowedAttributes: { a: ["href", "title", "rel"], code: ["class"], th: ["align"], td: ["align"] },
    allowedSchemes: ["http", "https", "mailto"],
    allowedClasses: { code: [/^language-[\w-]+$/] },
    transformTags: {
      h1: "h3",
      h2: "h4",
      h3: "h5",
      h4: "h6",
      h5: "h6",
      a: sanitizeHtml.simpleTransform("a", { rel: LINK_REL }),
      img: imageAsLink,
    },
  });
}
