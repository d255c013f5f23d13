-- Stage 4 (post): in HTML every table sits in its own scroll box, so a wide table (the
-- programme annex on a phone) scrolls inside the box instead of the whole page. The box is a
-- focusable, named region: keyboard users can scroll it too (WCAG 2.1.1, axe
-- scrollable-region-focusable).
if not FORMAT:match("html") then return {} end

local function caption_text(tbl)
  local text = pandoc.utils.stringify(tbl.caption.long or {})
  if text == "" then return "Table" end
  return text
end

-- Column widths as Quarto sets them for HTML (tbl-colwidths, default "auto": pandoc's relative
-- widths of a wide pipe table are kept unless a cell holds a link, whose markdown length says
-- nothing of its printed width). A table's own attribute wins over the document's option.
local document_colwidths = "auto"

-- Widths set on the column specs themselves: a round trip through pandoc.SimpleTable would
-- drop the table's id, which cross-references link to.
local function with_widths(tbl, widths)
  for i, spec in ipairs(tbl.colspecs) do
    tbl.colspecs[i] = { spec[1], widths[i] or pandoc.ColWidthDefault }
  end
  return tbl
end

local function without_widths(tbl)
  return with_widths(tbl, {})
end

local function has_link(tbl)
  local found = false
  pandoc.walk_block(pandoc.Div({ tbl }), { Link = function() found = true end })
  return found
end

local function with_quarto_widths(tbl)
  local setting = tbl.attributes["tbl-colwidths"] or document_colwidths
  tbl.attributes["tbl-colwidths"] = nil
  if setting == "false" or setting == false then return without_widths(tbl) end
  if setting == "auto" and has_link(tbl) then return without_widths(tbl) end
  if type(setting) == "string" and setting:match("^%s*%[?[%d%s.,]+%]?%s*$") then
    local given = {}
    for number in setting:gmatch("[%d.]+") do given[#given + 1] = tonumber(number) end
    local widths, total = {}, 0
    for i = 1, #tbl.colspecs do
      widths[i] = given[math.min(i, #given)]
      total = total + widths[i]
    end
    local function round(x, places)
      local unit = 10 ^ places
      return math.floor(x * unit + 0.5) / unit
    end
    for i = 1, #widths do
      if total > 100 then widths[i] = round(widths[i] / total * 100, 1) end
      widths[i] = round(widths[i] / 100, 2)
    end
    return with_widths(tbl, widths)
  end
  return tbl
end

return {
  {
    Meta = function(meta)
      local setting = meta["tbl-colwidths"]
      if setting ~= nil then
        document_colwidths = type(setting) == "boolean" and setting or pandoc.utils.stringify(setting)
      end
    end,
  },
  {
    Table = function(tbl)
      tbl = with_quarto_widths(tbl)
      -- A list of pairs, not a table keyed by name: Lua's key order varies from run to run.
      local attributes = { { "tabindex", "0" }, { "role", "region" }, { "aria-label", caption_text(tbl) } }
      return pandoc.Div({ tbl }, pandoc.Attr("", { "table-scroll" }, attributes))
    end,
  },
}
