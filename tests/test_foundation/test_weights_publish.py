"""tools/misc/publish_model.py: resume-only state dropped, meta kept, sha256 prefix in the name
(the one posezoo's download verifies)."""
import torch
from mmengine.logging import MessageHub
from weights_server import load_tool

from posezoo.weights.download import expected_hash, file_sha256

publish = load_tool('misc/publish_model.py').publish


def test_publish_drops_resume_state_and_names_the_hash(tmp_path):
    hub = MessageHub.get_instance('publish_test')
    hub.update_scalar('train/loss', 1.0)
    src = tmp_path / 'epoch_1.pth'
    torch.save(dict(meta=dict(epoch=1, dataset_meta=dict(classes=['a'])),
                    state_dict=dict(w=torch.ones(2)), optimizer=dict(state={}),
                    message_hub=hub.state_dict(), param_schedulers=[]), src)
    final = publish(str(src), str(tmp_path / 'out' / 'model_coco.pth'))
    assert final.name.startswith('model_coco-') and final.suffix == '.pth'
    assert file_sha256(str(final)).startswith(expected_hash(f'https://x/{final.name}'))
    published = torch.load(final, map_location='cpu', weights_only=True)
    assert set(published) == {'meta', 'state_dict'}
    assert published['meta']['dataset_meta'] == dict(classes=['a'])
    assert list(final.parent.iterdir()) == [final]
