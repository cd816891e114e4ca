-- End-to-end test in Neovim (Debian's 0.7.2) with its built-in LSP client, against
-- `node dist/server.js --stdio`. Sets up the configuration of docs/editors.md, opens a copy
-- of samples/02, waits for the diagnostics, asserts acs-redirect and p2p-host-bridge, asks
-- for a hover on the share and asserts THRU_HOST_BRIDGE.
--
--   DMABUF_SERVER=dist/server.js E2E_FILE=/tmp/ws/02-vfio-switch-iommu.dmabuf \
--     nvim --headless -u NONE -i NONE -n -c 'luafile test/e2e/nvim.lua'
--
-- Exits 0 when every check passes, 1 otherwise (`nvim -l` needs Neovim 0.9, hence `-c luafile`).

local t0 = vim.loop.hrtime()
local function log(msg)
  io.stdout:write(string.format('nvim-e2e [%.1fs] %s\n', (vim.loop.hrtime() - t0) / 1e9, msg))
end

local function finish(ok, msg)
  log((ok and 'PASS' or 'FAIL') .. (msg and (': ' .. msg) or ''))
  io.stdout:flush()
  for _, client in pairs(vim.lsp.get_active_clients()) do
    client.stop(true)
  end
  vim.cmd((ok and 'qall!') or 'cquit! 1')
end

local server = os.getenv('DMABUF_SERVER')
local file = os.getenv('E2E_FILE')

-- ---------------------------------------------------------------- docs/editors.md, Neovim 0.7
-- (there the command is { 'dmabuf-language-server', '--stdio' })
local dmabuf_cmd = { 'node', server or 'dist/server.js', '--stdio' }

vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
  pattern = '*.dmabuf',
  callback = function() vim.bo.filetype = 'dmabuf' end,
})

local dmabuf_client
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'dmabuf',
  callback = function(args)
    if not dmabuf_client or vim.lsp.client_is_stopped(dmabuf_client) then
      dmabuf_client = vim.lsp.start_client({
        name = 'dmabuf',
        cmd = dmabuf_cmd,
        root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(args.buf), ':p:h'),
      })
    end
    vim.lsp.buf_attach_client(args.buf, dmabuf_client)
  end,
})
-- ---------------------------------------------------------------- end of the configuration

local function run()
  assert(server, 'DMABUF_SERVER (the path of dist/server.js) is not set')
  assert(file, 'E2E_FILE (a copy of samples/02-vfio-switch-iommu.dmabuf) is not set')
  local v = vim.version()
  log(string.format('Neovim %d.%d.%d', v.major, v.minor, v.patch))

  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  if vim.bo[bufnr].filetype ~= 'dmabuf' then
    return finish(false, 'the file type is "' .. vim.bo[bufnr].filetype .. '", not dmabuf')
  end
  if not vim.wait(10000, function() return #vim.lsp.buf_get_clients(bufnr) > 0 end, 50) then
    return finish(false, 'no LSP client attached to the buffer')
  end

  local function codes()
    local out = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      out[#out + 1] = tostring(d.code)
    end
    return out
  end
  local function has(list, value)
    for _, x in ipairs(list) do
      if x == value then
        return true
      end
    end
    return false
  end

  if not vim.wait(30000, function() return has(codes(), 'acs-redirect') end, 50) then
    return finish(false, 'no acs-redirect diagnostic within 30 s; got: ' .. table.concat(codes(), ', '))
  end
  log('diagnostics: ' .. table.concat(codes(), ', '))
  if not has(codes(), 'p2p-host-bridge') then
    return finish(false, 'no p2p-host-bridge diagnostic')
  end

  -- Hover on the share name (the line that starts with `share doorbells`), as `K` asks for it.
  local line
  for i, text in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if text:match('^share doorbells') then
      line = i - 1
      break
    end
  end
  if not line then
    return finish(false, 'no share line in ' .. file)
  end
  vim.api.nvim_win_set_cursor(0, { line + 1, 6 })
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', vim.lsp.util.make_position_params(), 15000)
  local text = ''
  for _, r in pairs(responses or {}) do
    if r.result and r.result.contents then
      local c = r.result.contents
      text = text .. (type(c) == 'string' and c or (c.value or vim.inspect(c)))
    end
  end
  if not text:find('THRU_HOST_BRIDGE', 1, true) then
    return finish(false, 'the hover does not say THRU_HOST_BRIDGE: ' .. text)
  end
  log('hover at ' .. (line + 1) .. ':7 says THRU_HOST_BRIDGE (' .. #text .. ' characters of markdown)')
  finish(true)
end

local ok, err = pcall(run)
if not ok then
  finish(false, tostring(err))
end
