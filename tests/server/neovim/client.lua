-- Drive tangent-lsp from headless Neovim 0.7 and write what it answered as JSON.
--
--   TANGENT_CMD='["python","-m","tangent_lsp","serve"]' TANGENT_FILE=/abs/mod.py \
--   TANGENT_OUT=/abs/out.json TANGENT_QUERIES='{"hover":[[l,c],...],"action":[l,c]}' \
--   nvim --headless --clean -c 'luafile client.lua'
--
-- Uses only what Neovim 0.7 has: vim.lsp.start_client, buf_attach_client,
-- buf_request_sync and util.apply_workspace_edit (vim.lsp.start arrived in 0.8).

local out = {}
local function finish(code)
  vim.fn.writefile({ vim.fn.json_encode(out) }, os.getenv("TANGENT_OUT"))
  vim.cmd(code == 0 and "qa!" or "cquit " .. code)
end

local ok, err = pcall(function()
  local file = os.getenv("TANGENT_FILE")
  local queries = vim.fn.json_decode(os.getenv("TANGENT_QUERIES"))
  local client_id = vim.lsp.start_client({
    name = "tangent-lsp",
    cmd = vim.fn.json_decode(os.getenv("TANGENT_CMD")),
    root_dir = vim.fn.fnamemodify(file, ":h"),
  })
  assert(client_id, "the server did not start")
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)
  assert(vim.wait(20000, function()
    local client = vim.lsp.get_client_by_id(client_id)
    return client ~= nil and client.initialized
  end, 50), "the server did not initialize")
  local client = vim.lsp.get_client_by_id(client_id)
  out.server = client.server_capabilities and true or false
  local uri = vim.uri_from_bufnr(bufnr)

  local function request(method, params)
    local replies, failure = vim.lsp.buf_request_sync(bufnr, method, params, 30000)
    assert(replies, method .. ": " .. tostring(failure))
    local reply = replies[client_id]
    assert(reply and not reply.err, method .. " failed: " .. vim.inspect(reply))
    return reply.result
  end

  out.hovers = {}
  for _, at in ipairs(queries.hover) do
    local result = request("textDocument/hover", {
      textDocument = { uri = uri }, position = { line = at[1], character = at[2] } })
    table.insert(out.hovers, result and result.contents.value or vim.NIL)
  end

  local at = queries.action
  local point = { line = at[1], character = at[2] }
  local actions = request("textDocument/codeAction", {
    textDocument = { uri = uri }, range = { start = point, ["end"] = point },
    context = { diagnostics = {} } })
  out.titles = {}
  for _, action in ipairs(actions or {}) do
    table.insert(out.titles, action.title)
  end
  local action = actions[1]
  if not action.edit then
    action = request("codeAction/resolve", action)
  end
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  vim.cmd("write")
  out.lines = vim.api.nvim_buf_line_count(bufnr)
  vim.lsp.stop_client(client_id)
end)

if not ok then
  out.error = tostring(err)
  finish(3)
else
  finish(0)
end
