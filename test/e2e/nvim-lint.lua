-- End-to-end test of the Neovim lint mode of docs/editors.md (no LSP): the buffer's text,
-- saved or not, goes to `dmabuf-lint --stdin --stdin-filename FILE` and its findings
-- become vim.diagnostic entries. Opens E2E_FILE, adds an unsaved line that names an
-- unknown device, lints, and asserts the unknown-name diagnostic on that line.
--
--   DMABUF_LINT=dist/cli.js E2E_FILE=/tmp/ws/02-vfio-switch-iommu.dmabuf \
--     nvim --headless -u NONE -i NONE -n -c 'luafile test/e2e/nvim-lint.lua'

local function finish(ok, msg)
  io.stdout:write('nvim-lint-e2e ' .. (ok and 'PASS' or 'FAIL') .. (msg and (': ' .. msg) or '') .. '\n')
  io.stdout:flush()
  vim.cmd((ok and 'qall!') or 'cquit! 1')
end

local lint = os.getenv('DMABUF_LINT')
local file = os.getenv('E2E_FILE')

-- ---------------------------------------------------------------- docs/editors.md, lint mode
-- (there the command is { 'dmabuf-lint' })
local dmabuf_lint = { 'node', lint or 'dist/cli.js' }

local ns = vim.api.nvim_create_namespace('dmabuf-lint')
local severities = { error = vim.diagnostic.severity.ERROR, warning = vim.diagnostic.severity.WARN, info = vim.diagnostic.severity.INFO }

local function dmabuf_lint_buffer(buf)
  local name = vim.api.nvim_buf_get_name(buf)
  local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
  local cmd = vim.list_extend(vim.deepcopy(dmabuf_lint), { '--stdin', '--stdin-filename', name, '--no-color' })
  -- Each finding's first line is `FILE:LINE:COL SEVERITY CODE MESSAGE`.
  local out = vim.fn.systemlist(cmd, text)
  local diags = {}
  for _, line in ipairs(out) do
    local f, l, c, sev, code, msg = line:match('^(.-):(%d+):(%d+) (%a+) ([%w-]+) (.*)$')
    if f and severities[sev] and vim.fn.fnamemodify(f, ':p') == vim.fn.fnamemodify(name, ':p') then
      table.insert(diags, { lnum = tonumber(l) - 1, col = tonumber(c) - 1, severity = severities[sev], source = 'dmabuf-lint', code = code, message = msg })
    end
  end
  vim.diagnostic.set(ns, buf, diags)
end

vim.api.nvim_create_autocmd({ 'BufEnter', 'BufWritePost', 'InsertLeave' }, {
  pattern = '*.dmabuf',
  callback = function(args) dmabuf_lint_buffer(args.buf) end,
})
-- ---------------------------------------------------------------- end of the documented part

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local n = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, n, n, false, { 'share doorbells -> gpu9 { attach dynamic }' })
  assert(vim.bo[buf].modified, 'the buffer should be unsaved')
  dmabuf_lint_buffer(buf)
  local found
  for _, d in ipairs(vim.diagnostic.get(buf, { namespace = ns })) do
    if d.code == 'unknown-name' and d.message:find("'gpu9'", 1, true) then found = d end
  end
  assert(found, 'no unknown-name for gpu9: ' .. vim.inspect(vim.diagnostic.get(buf, { namespace = ns })))
  assert(found.lnum == n, string.format('unknown-name on line %d, expected %d', found.lnum, n))
end)
finish(ok, err and tostring(err) or nil)
