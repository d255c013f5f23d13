-- Stage 2 (crossref): one numbering mechanism for sections, figures and tables, and the
-- Quarto reference syntax @sec-x / @fig-x / @tbl-x resolved to "Section 2.1", "Figure 3".
local errors = dofile(PANDOC_SCRIPT_FILE:gsub("crossref.lua$", "report-errors.lua"))

local kinds = {
  sec = { prefix = "Section", title = nil },
  fig = { prefix = "Figure", title = "Figure" },
  tbl = { prefix = "Table", title = "Table" },
}
local refs = {}
local title_delim = ":"
local ref_hyperlink = true
-- Quarto reference kinds the embedded engine does not number: refused by name, never left as
-- literal "@eq-x" text.
local unsupported_kinds = {
  eq = "equations", thm = "theorems", lem = "lemmas", cor = "corollaries",
  prp = "propositions", cnj = "conjectures", def = "definitions", exm = "examples",
  exr = "exercises", sol = "solutions", rem = "remarks", lst = "code listings",
  nte = "callout references", tip = "callout references", wrn = "callout references",
  imp = "callout references", cau = "callout references",
}
local seen_ids = {}

local function unique(id)
  if seen_ids[id] then
    errors.report_last("#" .. id, "duplicate id '" .. id .. "': each section, figure and table "
      .. "needs its own id")
  end
  seen_ids[id] = true
end

local function meta_string(meta, key)
  local value = meta[key]
  if value == nil then return nil end
  return pandoc.utils.stringify(value)
end

local function configure(meta)
  local crossref = meta.crossref or {}
  title_delim = meta_string(crossref, "title-delim") or title_delim
  if crossref["ref-hyperlink"] == false then ref_hyperlink = false end
  for kind, labels in pairs(kinds) do
    labels.prefix = meta_string(crossref, kind .. "-prefix") or labels.prefix
    if labels.title then
      labels.title = meta_string(crossref, kind .. "-title") or labels.title
    end
  end
end

local function has_class(el, class)
  for _, c in ipairs(el.classes) do if c == class then return true end end
  return false
end

local function number_sections(doc, depth)
  local counters = { 0, 0, 0, 0, 0, 0 }
  local numbering = PANDOC_WRITER_OPTIONS.number_sections
  return doc:walk({
    Header = function(h)
      -- Without number-sections Quarto still counts sections: "@sec-x" reads "Section 2".
      if has_class(h, "unnumbered") then return nil end
      if numbering and h.level > depth then
        h.classes:insert("unnumbered")
        return h
      end
      counters[h.level] = counters[h.level] + 1
      for level = h.level + 1, 6 do counters[level] = 0 end
      local parts = {}
      for level = 1, h.level do parts[#parts + 1] = tostring(counters[level]) end
      if h.identifier ~= "" then
        unique(h.identifier)
        refs[h.identifier] = { kind = "sec", number = table.concat(parts, ".") }
      end
      return nil
    end,
  })
end

local function strip_trailing_space(inlines)
  while #inlines > 0 and (inlines[#inlines].t == "Space" or inlines[#inlines].t == "SoftBreak") do
    inlines:remove(#inlines)
  end
end

-- A trailing attribute block in a table caption, "{#tbl-x tbl-colwidths="[70,30]"}", is
-- Quarto's way to label a table and give it attributes. Read as Quarto reads it
-- (parseTableCaption): the text from the first inline opening with "{", curly quotes made
-- straight, parsed as a heading's attributes; removed from the caption when it parsed.
local function caption_attributes(inlines)
  strip_trailing_space(inlines)
  local last = inlines[#inlines]
  if not last or last.t ~= "Str" or not last.text:match("}%s*$") then return nil end
  local begin
  for i = 1, #inlines do
    if inlines[i].t == "Str" and inlines[i].text:sub(1, 1) == "{" then begin = i; break end
  end
  if not begin then return nil end
  local text = pandoc.utils.stringify(pandoc.Inlines({ table.unpack(inlines, begin, #inlines) }))
  text = text:gsub("“", "'"):gsub("”", "'")
  local heading = pandoc.read("## " .. text, "markdown").blocks[1]
  if not heading or heading.t ~= "Header" or #heading.content > 0 then return nil end
  for _ = begin, #inlines do inlines:remove(begin) end
  strip_trailing_space(inlines)
  return heading.attr
end

local function table_label(tbl)
  if tbl.identifier and tbl.identifier ~= "" then return tbl.identifier end
  local long = tbl.caption.long
  if #long == 0 then return "" end
  local inlines = long[#long].content
  if not inlines or #inlines == 0 then return "" end
  local attr = caption_attributes(inlines)
  if not attr then return "" end
  for name, value in pairs(attr.attributes) do tbl.attributes[name] = value end
  for _, class in ipairs(attr.classes) do tbl.classes:insert(class) end
  if attr.identifier:match("^tbl%-") then
    tbl.identifier = attr.identifier
    return attr.identifier
  end
  return ""
end

local function caption_prefix(kind, number, delim)
  return pandoc.Span({ pandoc.Str(kinds[kind].title .. "\u{a0}" .. number .. delim) },
    pandoc.Attr("", { kind .. "-number" }))
end

local function prepend_caption(caption_blocks, kind, number)
  -- As in Quarto: an empty caption is the bare label, "Figure 2", with no delimiter.
  if #caption_blocks == 0 or pandoc.utils.stringify(caption_blocks) == "" then
    caption_blocks:insert(pandoc.Plain({ caption_prefix(kind, number, "") }))
    return
  end
  local first = caption_blocks[1]
  first.content:insert(1, pandoc.Space())
  first.content:insert(1, caption_prefix(kind, number, title_delim))
end

-- ![](path){#fig-x}: with no caption pandoc makes no figure, Quarto still numbers one.
local function uncaptioned_figure(para)
  if #para.content ~= 1 or para.content[1].t ~= "Image" then return nil end
  local image = para.content[1]
  if not image.identifier:match("^fig%-") then return nil end
  local id = image.identifier
  image.identifier = ""
  return pandoc.Figure({ pandoc.Plain({ image }) }, {}, pandoc.Attr(id))
end

-- ::: {#tbl-x} holding a table, its last paragraph the caption (Quarto table divs).
local function table_div(div)
  local content = div.content
  local tables = content:filter(function(b) return b.t == "Table" end)
  if #tables ~= 1 then return nil end
  local tbl = tables[1]
  if #content > 1 and content[#content].t == "Para" then
    tbl.caption.long = { pandoc.Plain(content[#content].content) }
  end
  tbl.identifier = div.identifier
  return tbl
end

local function number_floats(doc)
  local counts = { fig = 0, tbl = 0 }
  return doc:walk({
    Para = uncaptioned_figure,
    Div = function(div)
      if div.identifier:match("^tbl%-") then return table_div(div) end
      -- ::: {#fig-x} ... ::: : the last paragraph is the caption (Quarto figure divs).
      if div.identifier:match("^fig%-") then
        local content = div.content
        local caption = {}
        if #content > 1 and content[#content].t == "Para" then
          caption = { pandoc.Plain(content[#content].content) }
          content = pandoc.List({ table.unpack(content, 1, #content - 1) })
        end
        local figure = pandoc.Figure(content, caption, pandoc.Attr(div.identifier, div.classes,
          div.attributes))
        return figure
      end
    end,
  }):walk({
    Figure = function(fig)
      if fig.identifier:match("^fig%-") then
        unique(fig.identifier)
        counts.fig = counts.fig + 1
        refs[fig.identifier] = { kind = "fig", number = tostring(counts.fig) }
        prepend_caption(fig.caption.long, "fig", counts.fig)
        return fig
      end
    end,
    Table = function(tbl)
      local label = table_label(tbl)
      if label:match("^tbl%-") then
        unique(label)
        counts.tbl = counts.tbl + 1
        refs[label] = { kind = "tbl", number = tostring(counts.tbl) }
        prepend_caption(tbl.caption.long, "tbl", counts.tbl)
        return tbl
      end
    end,
  })
end

local function resolve_citations(doc)
  return doc:walk({
    Cite = function(cite)
      local out = pandoc.List()
      local handled = false
      for i, citation in ipairs(cite.citations) do
        local kind = citation.id:match("^(%a+)%-")
        if kind and unsupported_kinds[kind:lower()] then
          errors.report("@" .. citation.id, "cross-reference '@" .. citation.id .. "' (Quarto "
            .. unsupported_kinds[kind:lower()] .. ") is not supported by the embedded engine; "
            .. "refer to a section, figure or table, or render with --engine quarto")
        end
        if kind and kinds[kind:lower()] then
          handled = true
          -- @Fig-x is @fig-x with a capitalised label (Quarto's convention).
          local key = kind:lower() .. citation.id:sub(#kind + 1)
          local target = refs[key]
          if not target then
            local known = {}
            for id, ref in pairs(refs) do
              if ref.kind == kind:lower() then known[#known + 1] = id end
            end
            table.sort(known)
            errors.report("@" .. citation.id, "no " .. kind:lower() .. " with id '" .. key
              .. "' for this reference", "check the id or add {#" .. key .. "} to its target",
              known)
          else
            local label = kinds[target.kind].prefix
            if kind:match("^%u") then label = label:sub(1, 1):upper() .. label:sub(2) end
            -- [Fig. @fig-x]: a prefix written in the brackets replaces the label.
            if #citation.prefix > 0 then label = pandoc.utils.stringify(citation.prefix) end
            local text = target.number
            if citation.mode ~= "SuppressAuthor" then text = label .. "\u{a0}" .. text end
            if i > 1 then out:insert(pandoc.Str(", ")) end
            if ref_hyperlink then
              out:insert(pandoc.Link({ pandoc.Str(text) }, "#" .. key, "",
                pandoc.Attr("", { "quarto-xref" })))
            else
              out:insert(pandoc.Str(text))
            end
          end
        end
      end
      if handled then return out end
    end,
  })
end

function Pandoc(doc)
  configure(doc.meta)
  local depth = tonumber(meta_string(doc.meta, "number-depth") or "6") or 6
  doc = number_sections(doc, depth)
  doc = number_floats(doc)
  doc = resolve_citations(doc)
  errors.finish()
  return doc
end
