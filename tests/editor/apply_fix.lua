-- What a user does, scripted: wait for HY001 on the current buffer, apply
-- its preferred quick fix, write the file, quit. Exits non-zero on failure.
local buf = vim.api.nvim_get_current_buf()

local function fail(message)
  io.stderr:write('apply_fix.lua: ' .. message .. '\n')
  vim.cmd('cquit 3')
end

local hy001
local found = vim.wait(60000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == 'HY001' then
      hy001 = d
      return true
    end
  end
  return false
end, 20)
if not found then
  fail('no HY001 diagnostic')
end

local client
local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = buf })
  or vim.lsp.buf_get_clients(buf)
for _, c in pairs(clients) do
  if c.name == 'hybridize' then
    client = c
  end
end
if not client then
  fail('no hybridize client')
end

-- The diagnostic's range, as the server sent it.
local lsp = (hy001.user_data or {}).lsp or {}
local range = lsp.range
  or {
    start = { line = hy001.lnum, character = hy001.col },
    ['end'] = { line = hy001.end_lnum, character = hy001.end_col },
  }
local params = {
  textDocument = vim.lsp.util.make_text_document_params(buf),
  range = range,
  context = { diagnostics = {} },
}
local response
if vim.fn.has('nvim-0.11') == 1 then
  response = client:request_sync('textDocument/codeAction', params, 30000, buf)
else
  response = client.request_sync('textDocument/codeAction', params, 30000, buf)
end
if not response or response.err or not response.result then
  fail('no code actions: ' .. vim.inspect(response))
end
local applied = false
for _, action in ipairs(response.result) do
  if action.isPreferred and action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
    applied = true
    break
  end
end
if not applied then
  fail('no preferred quick fix among ' .. vim.inspect(response.result))
end
vim.cmd('write')
vim.cmd('qall!')
