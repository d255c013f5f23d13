-- Ordered lists keep delimiters such as "(a)" that HTML's <ol> cannot express on its own:
-- the list is wrapped in a div whose classes reportkit's stylesheets number by.
-- Run by Quarto (filters: [reportkit] in _quarto.yml) and by the embedded engine alike.
local delimiter_class = { TwoParens = "list-two-parens", OneParen = "list-one-paren" }

return {
  {
    OrderedList = function(list)
      local class = delimiter_class[list.listAttributes.delimiter]
      if class and FORMAT:match("html") then
        -- The numbering style goes in a class too: browsers match ol[type] case-insensitively,
        -- so CSS cannot tell type="a" from type="A".
        local style = "list-" .. list.listAttributes.style:gsub("(%l)(%u)", "%1-%2"):lower()
        return pandoc.Div({ list }, pandoc.Attr("", { class, style }))
      end
    end,
  },
}
