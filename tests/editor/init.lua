-- Neovim: start `hybridize server` for Python buffers (Neovim 0.7 or later;
-- `hybridize` must be on PATH). The root is the nearest folder with a
-- pyproject.toml or .git, else the file's folder.
local function root_of(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local pyproject = vim.fn.findfile('pyproject.toml', dir .. ';')
  if pyproject ~= '' then
    return vim.fn.fnamemodify(pyproject, ':p:h')
  end
  local git = vim.fn.finddir('.git', dir .. ';')
  if git ~= '' then
    return vim.fn.fnamemodify(git, ':p:h:h')
  end
  return dir
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'python',
  callback = function(args)
    local root = root_of(vim.api.nvim_buf_get_name(args.buf))
    local config = {
      name = 'hybridize',
      cmd = { 'hybridize', 'server' },
      root_dir = root,
      workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
      -- The usual overrides of [tool.hybridize], e.g. { ['unsafe-fixes'] = true }.
      init_options = {},
    }
    if vim.lsp.start then
      vim.lsp.start(config, { bufnr = args.buf })
    else
      -- Neovim 0.7: one client per root.
      _G.hybridize_clients = _G.hybridize_clients or {}
      local id = _G.hybridize_clients[root] or vim.lsp.start_client(config)
      _G.hybridize_clients[root] = id
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})
