import { renderDocs } from "@/lib/render-docs";

/** API docs (markdown from providers), rendered by the sanitizing renderer; images show as links. */
export function Markdown({ source }: { source: string }) {
  return (
    <div
      className="max-w-none text-sm leading-6 text-slate-800 [&_a]:text-brand-700 [&_a]:underline [&_code]:rounded [&_code]:bg-slate-100 [&_code]:px-1 [&_h3]:mt-4 [&_h3]:text-lg [&_h3]:font-semibold [&_h4]:mt-4 [&_h4]:font-semibold [&_h5]:mt-3 [&_h5]:font-medium [&_li]:ml-5 [&_ol]:list-decimal [&_p]:my-2 [&_pre]:my-3 [&_pre]:overflow-x-auto [&_pre]:rounded-md [&_pre]:bg-slate-900 [&_pre]:p-3 [&_pre]:text-slate-100 [&_pre_code]:bg-transparent [&_pre_code]:p-0 [&_table]:my-3 [&_td]:border [&_td]:px-2 [&_th]:border [&_th]:px-2 [&_ul]:list-disc"
      dangerouslySetInnerHTML={{ __html: renderDocs(source) }}
    />
  );
}
