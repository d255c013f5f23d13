-- Stage 3 (layout): Quarto callouts (::: {.callout-note} with an optional title) become
-- <aside class="callout callout-note"> with a visible title, in HTML and print alike.
local kinds = { note = "Note", tip = "Tip", warning = "Warning", important = "Important",
  caution = "Caution" }

function Div(div)
  for _, class in ipairs(div.classes) do
    local kind = class:match("^callout%-(%a+)$")
    if kind and kinds[kind] then
      local title = div.attributes["title"]
      local content = div.content
      local heading
      -- A first heading inside the callout is its title (Quarto's convention).
      if #content > 0 and content[1].t == "Header" then
        heading = content[1].content
        content = pandoc.List({ table.unpack(content, 2) })
      elseif title then
        heading = pandoc.Inlines(title)
      else
        heading = pandoc.Inlines(kinds[kind])
      end
      local title_div = pandoc.Div({ pandoc.Plain(heading) }, pandoc.Attr("", { "callout-title" }))
      local body = pandoc.Div(content, pandoc.Attr("", { "callout-body" }))
      local attr = pandoc.Attr(div.identifier, { "callout", "callout-" .. kind })
      if FORMAT:match("html") then
        return {
          pandoc.RawBlock("html", '<aside class="callout callout-' .. kind .. '"'
            .. (div.identifier ~= "" and (' id="' .. div.identifier .. '"') or "") .. '>'),
          title_div, body, pandoc.RawBlock("html", "</aside>"),
        }
      end
      return pandoc.Div({ title_div, body }, attr)
    end
  end
end
