-- Shared by the filters: report a problem in a form the Python side maps to file:line.
-- Each line on stderr is: reportkit-error<TAB>text-to-find-in-source<TAB>message, optionally
-- followed by <TAB>hint<TAB>known ids (comma-separated) for a "did you mean" on the Python side.
local M = {}
M.count = 0

function M.report(needle, message, hint, known)
  local line = "reportkit-error\t" .. needle .. "\t" .. message
  if hint then line = line .. "\t" .. hint .. "\t" .. table.concat(known or {}, ",") end
  io.stderr:write(line .. "\n")
  M.count = M.count + 1
end

-- The same, located at the needle's last occurrence (a duplicate is wrong where it repeats).
function M.report_last(needle, message)
  io.stderr:write("reportkit-error-last\t" .. needle .. "\t" .. message .. "\n")
  M.count = M.count + 1
end

function M.finish()
  if M.count > 0 then
    error("reportkit: " .. M.count .. " problem(s) in the document")
  end
end

return M
