-- {{< reportkit PART [ID] >}}: a part of the report that `reportkit prepare` generates from the
-- project's data (Quarto's pre-render), placed where the shortcode stands.
--
-- Quarto expands {{< include >}} before pre-render runs, so an include of a generated file
-- fails on a fresh clone; a shortcode is resolved at filter time, after pre-render, and
-- quarto.utils.string_to_blocks parses the part as Quarto would parse the document itself
-- (figures become numbered floats, sections keep their ids).
-- The embedded engine resolves the same shortcode in Python (reportkit/engines/assemble.py).

local PARTS = {
  ["front-matter"] = { file = "front-matter.qmd" },
  ["acronyms"] = { file = "acronyms.qmd" },
  ["key-messages"] = { file = "key-messages.qmd" },
  ["annexes"] = { file = "annexes.qmd" },
  ["session"] = { dir = "sessions", what = "session", where = "data/programme.yml" },
  ["chart"] = { dir = "charts", what = "chart", where = "data/charts.yml" },
}

local function read(path)
  local file = io.open(path, "r")
  if not file then return nil end
  local text = file:read("a")
  file:close()
  return text
end

local function fail(message)
  quarto.log.error("reportkit: " .. message)
  os.exit(1)
end

local function project_dir()
  return (quarto.project and quarto.project.directory) or "."
end

-- A chart in HTML: the inline SVG plus its interactive spec; in Word: its PNG.
local function chart_for_format(text, dir, id)
  local image_line = "!%[%]%(([^)]-)%.svg%)(%b{})"
  if quarto.doc.is_format("html") then
    local fragment = read(dir .. "/charts/" .. id .. ".html")
    if fragment then
      return (text:gsub(image_line .. "\n", function()
        return "````{=html}\n" .. fragment:gsub("%%", "%%%%") .. "\n````\n"
      end, 1))
    end
  elseif quarto.doc.is_format("docx") then
    return (text:gsub(image_line, function(path, attrs)
      if read(project_dir() .. "/" .. path .. ".png") then
        return "![](" .. path .. ".png)" .. attrs
      end
    end, 1))
  end
  return text
end

return {
  ["reportkit"] = function(args)
    local name = args[1] and pandoc.utils.stringify(args[1]) or ""
    local part = PARTS[name]
    if not part then
      local known = {}
      for key in pairs(PARTS) do table.insert(known, key) end
      table.sort(known)
      fail("unknown part '" .. name .. "' in {{< reportkit " .. name .. " >}}; known: "
        .. table.concat(known, ", "))
    end
    local dir = project_dir() .. "/_generated"
    local path, id
    if part.dir then
      id = args[2] and pandoc.utils.stringify(args[2]) or nil
      if not id then fail("{{< reportkit " .. name .. " ID >}} needs the " .. part.what .. "'s id") end
      path = dir .. "/" .. part.dir .. "/" .. id .. ".qmd"
    else
      path = dir .. "/" .. part.file
    end
    local text = read(path)
    if not text then
      if part.dir then
        fail("unknown " .. part.what .. " '" .. id .. "': " .. part.where .. " has no such id"
          .. " (or `reportkit prepare`, the pre-render step, did not run)")
      end
      fail(path .. " does not exist: `reportkit prepare` (the pre-render step) did not run")
    end
    if name == "chart" then text = chart_for_format(text, dir, id) end
    return quarto.utils.string_to_blocks(text)
  end,
}
