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

return {
  {
    Table = function(tbl)
      -- A list of pairs, not a table keyed by name: Lua's key order varies from run to run.
      local attributes = { { "tabindex", "0" }, { "role", "region" }, { "aria-label", caption_text(tbl) } }
      return pandoc.Div({ tbl }, pandoc.Attr("", { "table-scroll" }, attributes))
    end,
  },
}
