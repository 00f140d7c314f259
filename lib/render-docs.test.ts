import { describe, expect, it } from "vitest";
import { renderDocs } from "./render-docs";

describe("renderDocs", () => {
  it("shows a remote image as a link named by its alt text, so nothing loads until the reader clicks", () => {
    const html = renderDocs("Before ![tracking pixel](http://tracker.test/p.png) after");
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('<a href="http://tracker.test/p.png" rel="noopener noreferrer nofollow">Image: tracking pixel (link)</a>');
  });

  it("turns raw <img> tags, protocol-relative ones and srcset included, into links or text", () => {
    const html = renderDocs('<img src="https://cdn.test/a.png" alt="Diagram" srcset="https://cdn.test/b.png 2x">\n\n<img src="//cdn.test/c.png">\n\n<picture><source srcset="https://cdn.test/d.png"><img src="https://cdn.test/e.png"></picture>');
    expect(html).not.toMatch(/<img|<source|<picture|srcset/i);
    expect(html).toContain('<a href="https://cdn.test/a.png" rel="noopener noreferrer nofollow">Image: Diagram (link)</a>');
    expect(html).toContain("Image</span>");
  });

  it("keeps a javascript: image from becoming a link", () => {
    const html = renderDocs('<img src="javascript:alert(1)" alt="x">');
    expect(html).not.toMatch(/javascript|href/i);
    expect(html).toContain("Image: x");
  });

  it("escapes the alt text", () => {
    const html = renderDocs('![<b onclick="x()">bold</b>](https://cdn.test/a.png)');
    expect(html).not.toMatch(/<b[\s>]/);
    expect(html).toContain("Image: &lt;b onclick=");
  });
});
