-- Stage 4 (Word only): reportkit's blocks become Word paragraph styles (pandoc's custom-style),
-- which the brand's reference document defines: the cover is the first page, the imprint the
-- second, then the contents (moved there by reportkit.docx) and the report.
if not FORMAT:match("docx") then return {} end

local CONTENTS_MARK = "reportkit-contents"
-- The paragraph holding the break moves to the next page: keep it tiny.
local PAGE_BREAK = '<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" '
  .. 'w:lineRule="exact"/></w:pPr><w:r><w:br w:type="page"/></w:r></w:p>'

local cover_styles = {
  ["cover-organisation"] = "Cover Organisation",
  ["cover-title"] = "Title",
  ["cover-subtitle"] = "Subtitle",
  ["cover-authors"] = "Author",
  ["cover-image"] = "Cover Image",
  ["cover-publisher"] = "Date",
}

local images = {} -- SVG path -> PNG path, from the metadata reportkit.docx writes

local function styled(style, blocks)
  return pandoc.Div(blocks, pandoc.Attr("", {}, { ["custom-style"] = style }))
end

local function page_break()
  return pandoc.RawBlock("openxml", PAGE_BREAK)
end

local function as_para(block)
  if block.t == "Plain" then return pandoc.Para(block.content) end
  return block
end

-- A role of a session header: its label, then one paragraph a person (no bullets: Word list
-- paragraphs would lose the session style).
local function session_role(div)
  local blocks = pandoc.List()
  for _, block in ipairs(div.content) do
    if block.t == "BulletList" then
      for _, item in ipairs(block.content) do
        for _, inner in ipairs(item) do blocks:insert(as_para(inner)) end
      end
    elseif block.t == "Para" or block.t == "Plain" then
      blocks:insert(styled("Session Role", { as_para(block) }))
    else
      blocks:insert(block)
    end
  end
  return blocks
end

local function cover(div)
  local blocks = pandoc.List()
  for _, block in ipairs(div.content) do
    local style
    if block.t == "Div" then
      for _, class in ipairs(block.classes) do style = style or cover_styles[class] end
    end
    if style then
      blocks:insert(styled(style, block.content:map(as_para)))
    else
      blocks:insert(block)
    end
  end
  return blocks
end

local function has_class(block, class)
  return block.t == "Div" and block.classes:includes(class)
end

local meta_filter = {
  Meta = function(meta)
    for svg, png in pairs(meta["reportkit-docx-images"] or {}) do
      images[svg] = pandoc.utils.stringify(png)
    end
  end,
}

local styles_filter = {
  Image = function(image)
    local changed = false
    if images[image.src] then
      image.src = images[image.src]
      changed = true
    end
    -- Quarto's fig-alt (an alt attribute once normalize.lua has run) is the description Word
    -- shows as the picture's alt text; Word's writer reads only the image's own inlines.
    local alt = image.attributes["alt"] or image.attributes["fig-alt"]
    if alt and alt ~= "" and #image.caption == 0 then
      image.caption = pandoc.Inlines(alt)
      changed = true
    end
    if changed then return image end
  end,
  Div = function(div)
    if has_class(div, "session-role") then return session_role(div) end
    if has_class(div, "session-people") then return styled("Session People", div.content) end
    if has_class(div, "callout-title") then
      return styled("Callout Title", div.content:map(as_para))
    end
    if has_class(div, "callout-body") then return div.content end
    if has_class(div, "callout") then return styled("Callout", div.content) end
    if has_class(div, "pagebreak") then return page_break() end
  end,
}

-- The cover replaces pandoc's title block; the imprint follows on its own page; the contents
-- go after them (reportkit.docx moves pandoc's table of contents to the mark). The contents
-- heading and chapter headings start a page by their style, so no break goes before them.
local front_matter_filter = {
  Pandoc = function(doc)
    local blocks = pandoc.List()
    local mark_after, has_cover = nil, false
    local toc = PANDOC_WRITER_OPTIONS.table_of_contents
    for i, block in ipairs(doc.blocks) do
      if has_class(block, "cover") then
        blocks:extend(cover(block))
        blocks:insert(page_break())
        mark_after, has_cover = #blocks, true
      elseif has_class(block, "imprint") then
        blocks:insert(styled("Imprint", block.content))
        local following = doc.blocks[i + 1]
        if not (toc or (following and following.t == "Header" and following.level == 1)) then
          blocks:insert(page_break())
        end
        mark_after = #blocks
      else
        blocks:insert(block)
      end
    end
    if mark_after then
      blocks:insert(mark_after + 1, pandoc.Div({}, pandoc.Attr(CONTENTS_MARK)))
    end
    if has_cover then
      for _, key in ipairs({ "title", "subtitle", "author", "date" }) do doc.meta[key] = nil end
    end
    doc.meta["reportkit-docx-images"] = nil
    doc.blocks = blocks
    return doc
  end,
}

return { meta_filter, styles_filter, front_matter_filter }
