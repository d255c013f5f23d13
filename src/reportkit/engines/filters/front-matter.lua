-- Stage 4 (post): lift the generated .cover and .imprint blocks out of the body so the
-- template can place them before the table of contents (cover, imprint, contents, report).
function Pandoc(doc)
  if not FORMAT:match("html") then return doc end
  local body = pandoc.List()
  for _, block in ipairs(doc.blocks) do
    local lifted = false
    if block.t == "Div" then
      for _, name in ipairs({ "cover", "imprint" }) do
        if block.classes:includes(name) then
          doc.meta[name] = pandoc.MetaBlocks(block.content)
          lifted = true
        end
      end
    end
    if not lifted then body:insert(block) end
  end
  doc.blocks = body
  return doc
end
