-- Stage 1 (normalize): refuse Quarto syntax the embedded engine does not implement.
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

return {
  {
    Div = function(div) check_attr(div.attr) end,
    Span = function(span) check_attr(span.attr) end,
    -- Quarto's fig-alt is the image's alternative text (the caption stays the caption).
    Image = function(image)
      if image.attributes["fig-cap"] then
        errors.report("fig-cap=", "a 'fig-cap' attribute on an image is ignored by Quarto, "
          .. "so the figure would print without its caption; write the caption in the "
          .. "brackets: ![caption](path){#fig-id}")
      end
      local alt = image.attributes["fig-alt"]
      if alt then
        image.attributes["fig-alt"] = nil
        image.attributes["alt"] = alt
        return image
      end
    end,
    Pandoc = function(doc) errors.finish() return doc end,
  },
}
