-- Stage 3 (layout): Quarto callouts (::: {.callout-note} with an optional title) become
-- <aside class="callout callout-note"> with a visible title, in HTML and print alike.
local kinds = { note = "Note", tip = "Tip", warning = "Warning", important = "Important",
  caution = "Caution" }

-- The callout's kind: ::: {.callout-tip}, or "none" for a plain ::: {.callout} (as in Quarto,
-- which gives it no icon and no title unless one is written).
local function callout_kind(div)
  for _, class in ipairs(div.classes) do
    local kind = class:match("^callout%-(%a+)$")
    if kind and kinds[kind] then return kind end
  end
  if div.classes:includes("callout") then return "none" end
end

-- Titles in the report's language: Quarto's `language: {callout-note-title: …}` metadata
-- (reportkit fills it from reportkit.i18n for the report's language).
local function language_titles(meta)
  local language = meta.language
  if type(language) ~= "table" then return nil end
  for kind, _ in pairs(kinds) do
    local title = language["callout-" .. kind .. "-title"]
    if title ~= nil then kinds[kind] = pandoc.utils.stringify(title) end
  end
end

local function Div(div)
  local kind = callout_kind(div)
  if kind then
      local title = div.attributes["title"]
      local content = div.content
      local heading
      -- A first heading inside the callout is its title (Quarto's convention).
      if #content > 0 and content[1].t == "Header" then
        heading = content[1].content
        content = pandoc.List({ table.unpack(content, 2) })
      elseif title then
        heading = pandoc.Inlines(title)
      elseif kinds[kind] then
        heading = pandoc.Inlines(kinds[kind])
      end
      local parts = pandoc.List()
      if heading then
        parts:insert(pandoc.Div({ pandoc.Plain(heading) }, pandoc.Attr("", { "callout-title" })))
      end
      parts:insert(pandoc.Div(content, pandoc.Attr("", { "callout-body" })))
      local attr = pandoc.Attr(div.identifier, { "callout", "callout-" .. kind })
      if FORMAT:match("html") then
        local open = pandoc.RawBlock("html", '<aside class="callout callout-' .. kind .. '"'
          .. (div.identifier ~= "" and (' id="' .. div.identifier .. '"') or "") .. '>')
        parts:insert(1, open)
        parts:insert(pandoc.RawBlock("html", "</aside>"))
        return parts
      end
      return pandoc.Div(parts, attr)
  end
end

return { { Meta = language_titles }, { Div = Div } }
