-- reportkit import: a rapporteur's Word or ODT notes as plain Markdown for a session's body.
-- Keeps paragraphs, lists, emphasis, footnotes, tables and images; drops what Word's styling
-- leaves behind (custom-style divs and spans, underline, bookmarks, raw markup, attributes)
-- and the headings (a session's heading comes from data/programme.yml). What it dropped or
-- renamed goes to stderr as "reportkit-import<TAB>kind<TAB>…" lines for reportkit to report.
local image_dir = "images"
local images = 0

local function report(...)
  io.stderr:write(table.concat({ "reportkit-import", ... }, "\t") .. "\n")
end

local function one_line(inlines)
  return (pandoc.utils.stringify(inlines):gsub("%s+", " "))
end

local unwrap = function(element) return element.content end

local cleanup = {
  Header = function(header)
    report("heading", one_line(header.content))
    return {}
  end,
  Div = unwrap,
  Span = unwrap,
  Underline = unwrap,
  SmallCaps = unwrap,
  RawBlock = function() return {} end,
  RawInline = function() return {} end,
  Link = function(link)
    if link.target:match("^#") then return link.content end -- bookmarks inside the notes
    link.attr = pandoc.Attr()
    return link
  end,
  Image = function(image)
    images = images + 1
    local extension = image.src:match("%.(%w+)$") or "png"
    local name = string.format("image-%d.%s", images, extension:lower())
    -- Written into the working directory; reportkit moves it into the project.
    local _, contents = pandoc.mediabag.fetch(image.src)
    if contents then
      local file = assert(io.open(name, "wb"))
      file:write(contents)
      file:close()
    end
    report("image", image.src, name)
    image.src = image_dir .. "/" .. name
    image.attr = pandoc.Attr()
    image.title = ""
    if #image.caption == 0 then report("no-alt", name) end
    return image
  end,
  Figure = function(figure)
    figure.attr = pandoc.Attr()
    return figure
  end,
  Table = function(tbl)
    tbl.attr = pandoc.Attr()
    -- Word's column widths would force a grid table; without them pandoc writes a pipe table.
    for i, spec in ipairs(tbl.colspecs) do tbl.colspecs[i] = { spec[1], nil } end
    report("table", "")
    return tbl
  end,
  Note = function(note)
    report("note", "")
  end,
  CodeBlock = function(code)
    code.attr = pandoc.Attr()
    return code
  end,
}

return {
  {
    Meta = function(meta)
      if meta["reportkit-image-dir"] then
        image_dir = pandoc.utils.stringify(meta["reportkit-image-dir"])
      end
      return pandoc.Meta({})
    end,
  },
  cleanup,
  {
    -- After unwrapping, paragraphs emptied of everything go too.
    Para = function(para)
      if #para.content == 0 then return {} end
    end,
  },
}
