-- Stage 1 (normalize): refuse Quarto syntax the embedded engine does not implement, and
-- keep list delimiters such as "(a)" that HTML's <ol> cannot express on its own.
local errors = dofile(PANDOC_SCRIPT_FILE:gsub("normalize.lua$", "report-errors.lua"))

local unsupported_classes = {
  ["panel-tabset"] = "tabsets", ["panel-sidebar"] = "sidebars", ["panel-fill"] = "panels",
  ["panel-input"] = "panels", ["column-margin"] = "margin content",
  ["column-page"] = "page columns", ["column-screen"] = "screen columns",
  ["column-body-outset"] = "outset columns", ["content-visible"] = "conditional content",
  ["content-hidden"] = "conditional content", ["aside"] = "asides",
}
local unsupported_attributes = {
  ["layout-ncol"] = "figure layouts", ["layout-nrow"] = "figure layouts",
  ["layout"] = "figure layouts", ["fig-subcap"] = "sub-captions",
}

local function check_attr(attr, needle_prefix)
  for _, class in ipairs(attr.classes) do
    if unsupported_classes[class] then
      errors.report("{." .. class, "'." .. class .. "' (Quarto " .. unsupported_classes[class]
        .. ") is not supported by the embedded engine; remove it or render with --engine quarto")
    end
  end
  for key, _ in pairs(attr.attributes) do
    if unsupported_attributes[key] then
      errors.report(key .. "=", "'" .. key .. "' (Quarto " .. unsupported_attributes[key]
        .. ") is not supported by the embedded engine; remove it or render with --engine quarto")
    end
  end
end

local delimiter_class = { TwoParens = "list-two-parens", OneParen = "list-one-paren" }

return {
  {
    Div = function(div) check_attr(div.attr) end,
    Span = function(span) check_attr(span.attr) end,
    -- Quarto's fig-alt is the image's alternative text (the caption stays the caption).
    Image = function(image)
      local alt = image.attributes["fig-alt"]
      if alt then
        image.attributes["fig-alt"] = nil
        image.attributes["alt"] = alt
        return image
      end
    end,
    OrderedList = function(list)
      local class = delimiter_class[list.listAttributes.delimiter]
      if class and FORMAT:match("html") then
        -- The numbering style goes in a class too: browsers match ol[type] case-insensitively,
        -- so CSS cannot tell type="a" from type="A".
        local style = "list-" .. list.listAttributes.style:gsub("(%l)(%u)", "%1-%2"):lower()
        return pandoc.Div({ list }, pandoc.Attr("", { class, style }))
      end
    end,
    Pandoc = function(doc) errors.finish() return doc end,
  },
}
