-- Stage 2 (crossref): one numbering mechanism for sections, figures and tables, and the
-- Quarto reference syntax @sec-x / @fig-x / @tbl-x resolved to "Section 2.1", "Figure 3".
local errors = dofile(PANDOC_SCRIPT_FILE:gsub("crossref.lua$", "report-errors.lua"))

local kinds = {
  sec = { prefix = "Section", title = nil },
  fig = { prefix = "Figure", title = "Figure" },
  tbl = { prefix = "Table", title = "Table" },
}
local refs = {}

local function meta_string(meta, key)
  local value = meta[key]
  if value == nil then return nil end
  return pandoc.utils.stringify(value)
end

local function configure(meta)
  local crossref = meta.crossref or {}
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
      if not numbering or has_class(h, "unnumbered") then return nil end
      if h.level > depth then
        h.classes:insert("unnumbered")
        return h
      end
      counters[h.level] = counters[h.level] + 1
      for level = h.level + 1, 6 do counters[level] = 0 end
      local parts = {}
      for level = 1, h.level do parts[#parts + 1] = tostring(counters[level]) end
      if h.identifier ~= "" then
        refs[h.identifier] = { kind = "sec", number = table.concat(parts, ".") }
      end
      return nil
    end,
  })
end

-- A trailing "{#tbl-x}" in a table caption is Quarto's way to label a table.
local function table_label(tbl)
  if tbl.identifier and tbl.identifier ~= "" then return tbl.identifier end
  local long = tbl.caption.long
  if #long == 0 then return "" end
  local last = long[#long]
  local inlines = last.content
  if not inlines or #inlines == 0 then return "" end
  local text = pandoc.utils.stringify(inlines[#inlines])
  local label = text:match("^{#(tbl%-[%w%-_]+)}$")
  if label then
    inlines:remove(#inlines)
    if #inlines > 0 and inlines[#inlines].t == "Space" then inlines:remove(#inlines) end
    tbl.identifier = label
    return label
  end
  return ""
end

local function caption_prefix(kind, number)
  return pandoc.Span({ pandoc.Str(kinds[kind].title .. "\u{a0}" .. number .. ":") },
    pandoc.Attr("", { kind .. "-number" }))
end

local function prepend_caption(caption_blocks, kind, number)
  if #caption_blocks == 0 then
    caption_blocks:insert(pandoc.Plain({ caption_prefix(kind, number) }))
    return
  end
  local first = caption_blocks[1]
  first.content:insert(1, pandoc.Space())
  first.content:insert(1, caption_prefix(kind, number))
end

local function number_floats(doc)
  local counts = { fig = 0, tbl = 0 }
  return doc:walk({
    Div = function(div)
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
        counts.fig = counts.fig + 1
        refs[fig.identifier] = { kind = "fig", number = tostring(counts.fig) }
        prepend_caption(fig.caption.long, "fig", counts.fig)
        return fig
      end
    end,
    Table = function(tbl)
      local label = table_label(tbl)
      if label:match("^tbl%-") then
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
        if kind and kinds[kind:lower()] then
          handled = true
          -- @Fig-x is @fig-x with a capitalised label (Quarto's convention).
          local key = kind:lower() .. citation.id:sub(#kind + 1)
          local target = refs[key]
          if not target then
            errors.report("@" .. citation.id, "no " .. kind:lower() .. " with id '" .. key
              .. "' for this reference; check the id or add {#" .. key .. "} to its target")
          else
            local label = kinds[target.kind].prefix
            if kind:match("^%u") then label = label:sub(1, 1):upper() .. label:sub(2) end
            -- [Fig. @fig-x]: a prefix written in the brackets replaces the label.
            if #citation.prefix > 0 then label = pandoc.utils.stringify(citation.prefix) end
            local text = target.number
            if citation.mode ~= "SuppressAuthor" then text = label .. "\u{a0}" .. text end
            if i > 1 then out:insert(pandoc.Str(", ")) end
            out:insert(pandoc.Link({ pandoc.Str(text) }, "#" .. key, "",
              pandoc.Attr("", { "quarto-xref" })))
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
