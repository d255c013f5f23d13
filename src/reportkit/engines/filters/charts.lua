-- Stage 3 (layout): a chart figure's image becomes, in HTML, the mark of the prepared fragment
-- (inline SVG for print and readers without JavaScript, plus the Vega-Lite spec for the
-- interactive chart), which the embedded engine fills in after pandoc (engines/embedded.py,
-- fill_charts): pandoc's HTML does not wait for the drawings, nor change when only they do.
-- In Word, the chart's PNG.
local function exists(path)
  local file = io.open(path, "rb")
  if not file then return false end
  file:close()
  return true
end

local function chart_fragment(block, charts)
  if block.t ~= "Para" and block.t ~= "Plain" then return nil end
  if #block.content ~= 1 or block.content[1].t ~= "Image" then return nil end
  local image = block.content[1]
  if not image.classes:includes("chart-image") then return nil end
  -- Only the charts reportkit drew: any other path is content, never read here.
  local id = image.src:match("^_generated/charts/([%w-]+)%.svg$")
  if not id then return nil end
  if charts[id] then return pandoc.RawBlock("html", "<!--reportkit-chart:" .. id .. "-->") end
end

if FORMAT:match("html") then
  return {
    {
      Pandoc = function(doc)
        -- The charts prepared for this render (metadata reportkit-charts: their ids).
        local charts = {}
        for _, id in ipairs(doc.meta["reportkit-charts"] or {}) do
          charts[pandoc.utils.stringify(id)] = true
        end
        return doc:walk({
          Figure = function(fig)
            fig.content = fig.content:map(function(block)
              return chart_fragment(block, charts) or block
            end)
            return fig
          end,
        })
      end,
    },
  }
end

-- Word: the chart's PNG (drawn beside the SVG when docx is rendered) instead of the SVG,
-- which Word versions before 2016 cannot show. Without a PNG the SVG stays.
if FORMAT:match("docx") then
  return {
    {
      Image = function(image)
        if not image.classes:includes("chart-image") then return nil end
  -- Only the charts reportkit drew: any other path is content, never read here.
  if not image.src:match("^_generated/charts/[%w-]+%.svg$") then return nil end
        local png = image.src:gsub("%.svg$", ".png")
        if png ~= image.src and exists(png) then
          image.src = png
          return image
        end
      end,
    },
  }
end
return {}
