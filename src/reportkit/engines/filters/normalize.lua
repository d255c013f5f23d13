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

-- Images may only come from the project: reportkit lists its readable files (metadata
-- reportkit-files, after following links) and nothing else is ever read, copied or embedded.
local readable = nil

local function decoded(text)
  return (text:gsub("%%(%x%x)", function(hex) return string.char(tonumber(hex, 16)) end))
end

-- "a/./b/../c" as "a/c"; nil when the path climbs out of the project.
local function normalised(path)
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then
      if #parts == 0 then return nil end
      table.remove(parts)
    elseif part ~= "." then
      table.insert(parts, part)
    end
  end
  return table.concat(parts, "/")
end

local function check_image(src)
  if readable == nil or src:match("^data:") then return end
  if src:match("^%a[%w+.-]*:") or src:match("^//") then
    errors.report(src, "image " .. src .. " would load from the network (reports are offline: "
      .. "save the image in the project and give its path)")
    return
  end
  local plain = decoded((src:gsub("[?#].*$", "")))
  local path = plain:sub(1, 1) ~= "/" and plain:sub(1, 1) ~= "~" and normalised(plain) or nil
  if path == nil then
    errors.report(src, "image '" .. src .. "' is outside the project (reportkit reads nothing "
      .. "outside the project: copy the file into it and use a path relative to the project)")
  elseif not readable[path] then
    errors.report(src, "image '" .. src .. "' does not exist (fix the path; it is relative to "
      .. "the project root; a link to a file outside the project counts as missing)")
  end
end

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
    Meta = function(meta)
      local files = meta["reportkit-files"]
      if files then
        readable = {}
        for _, file in ipairs(files) do readable[pandoc.utils.stringify(file)] = true end
        meta["reportkit-files"] = nil
      end
      return meta
    end,
  },
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
  -- After the constructs above: a refused construct is named before its image is looked for.
  {
    Image = function(image) check_image(image.src) end,
    Pandoc = function(doc) errors.finish() return doc end,
  },
}
